# cpu: h=true
# timeout: 900
# bench/net inside the nested host (make bench): TCP throughput guest to
# host and host to guest (BENCH_MIB MiB through bench/tcp.c, which moves
# 128 KiB a system call as a throughput tool does) and HTTP
# request/response time (a connection, a 1-byte GET and its answer, 50 in
# a row), for --net user (passt) and --net tap, against the same between
# two network namespaces of the nested host joined by a veth pair: the
# floor. The nested host's own dd into cat, beside the guest's, says how
# much slower the guest's CPU alone is there. Figures.
. /tests/lib.sh
on_tmpfs_root "$0"
plan 3
mib=${BENCH_MIB:-64}
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { print b - a }'; }
rate() { awk -v s="$1" -v m="$mib" 'BEGIN { if (s > 0) printf "%.2f", m / s; else print 0 }'; }
# send ADDR PORT [nsenter args]: seconds to push mib MiB to a listener,
# nothing when that failed (or took more than 5 minutes)
send() {
	t=$(now)
	timeout 300 $3 bench-tcp send "$1" "$2" "$mib" && since "$t"
}
# rr URL [nsenter args]: milliseconds per HTTP GET of one byte (50 of them)
rr() {
	t=$(now)
	k=0
	while [ $k -lt 50 ]; do
		timeout 10 $2 wget -q -O /dev/null "$1" || return
		k=$((k + 1))
	done
	awk -v s="$(since "$t")" 'BEGIN { printf "%.1f", s * 1000 / 50 }'
}
ip link set lo up
mkdir -p /tmp/www
printf x >/tmp/www/one
httpd -p 8080 -h /tmp/www
# The floor: a namespace behind a veth pair (the kernel names the peer).
unshare -n sleep 3600 &
ns=$!
sleep 0.5
ip link add vfloor type veth
peer=$(ls /sys/class/net | grep '^veth' | head -n 1)
ip link set "$peer" netns $ns
in_ns="nsenter -t $ns -n"
$in_ns ip link set lo up
$in_ns ip addr add 10.9.0.2/24 dev "$peer"
$in_ns ip link set "$peer" up
ip addr add 10.9.0.1/24 dev vfloor
ip link set vfloor up
$in_ns httpd -p 8080 -h /tmp/www
$in_ns bench-tcp sink 5002 &
sleep 0.5
floor_rx=$(send 10.9.0.2 5002)
bench-tcp sink 5001 &
sleep 0.5
floor_tx=$(send 10.9.0.1 5001 "$in_ns")
t=$(now)
dd if=/dev/zero bs=65536 count=$((mib * 16)) 2>/dev/null | cat >/dev/null
host_pipe=$(since "$t")
floor_rr=$(rr http://10.9.0.2:8080/one)
check "the veth floor: $mib MiB each way, 50 requests" [ -n "$floor_rr" ]
echo "# bench: net floor (veth between namespaces): out $(rate "$floor_tx") MiB/s, in $(rate "$floor_rx") MiB/s, request/response $floor_rr ms; its dd into cat $(rate "$host_pipe") MiB/s"
# passt copies the default route; the TAP device sits on its own bridge.
ip link add br0 type bridge
ip addr add 10.0.2.15/24 dev br0
ip link set br0 up
ip route add default via 10.0.2.2 dev br0
ip link add br1 type bridge
ip addr add 192.168.77.254/24 dev br1
ip link set br1 up
tunctl -t tapa >/dev/null
brctl addif br1 tapa
ip link set tapa up
# said MODE WHAT: the figure the guest printed as guest-bench-WHAT
said() { tr -d '\r' <"/tmp/$1.out" | sed -n "s/^guest-bench-$2: //p"; }
# counters: exits, MMIO exits to vmm, to the kernel, the NIC's
# interrupts, frames sent so far
counters() { stats_sum bench exits mmio_exit_user mmio_exit_kernel interrupts tx_frames; }
# guest MODE NETSPEC ADDR RXPORT RRPORT: the figures of one backend
guest() {
	bench-tcp sink 5001 &
	sink=$!
	vmm run --log-level debug --name bench --kernel /guest/Image --initrd /guest/guest.cpio --memory 512M \
		--cmdline "console=ttyS0 quiet vmm.guest=script:bench-net vmm.netmode=$1 vmm.netmib=$mib" \
		--net "$2" </dev/null >/tmp/$1.out 2>&1 &
	vm=$!
	# what the guest's send cost in exits, frame by frame
	wait_for guest-bench-tx-begin /tmp/$1.out $vm 600
	if grep -q guest-bench-tx-begin /tmp/$1.out; then
		before=$(counters)
		# the receiver ends with the guest's send (or with the VM, or
		# after 5 minutes, as send's own)
		i=0
		while kill -0 $sink 2>/dev/null && kill -0 $vm 2>/dev/null && [ $i -lt 1500 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		after=$(counters)
		echo "# bench: net $1: during the guest's send, per frame it sent: $(echo "$before $after" | awk '{ f = $10 - $5; if (f > 0) printf "%.1f exits (%.1f MMIO to vmm, %.1f MMIO to the kernel: notifies), %.2f interrupts, %d frames", ($6 - $1) / f, ($7 - $2) / f, ($8 - $3) / f, ($9 - $4) / f, f }')"
	fi
	kill $sink 2>/dev/null
	wait_for guest-bench-listening /tmp/$1.out $vm 600
	rx=$(send "$3" "$4")
	rrt=$(rr "http://$3:$5/one")
	vmm stop bench --timeout 10 >/dev/null 2>&1
	wait $vm
	tx=$(said "$1" tx)
	pipe=$(said "$1" pipe)
	loop=$(said "$1" loopback)
	busy=$(said "$1" busy)
	check "--net $1: $mib MiB each way, 50 requests" test -n "$tx" -a -n "$rx" -a -n "$rrt"
	[ -n "$tx" ] && [ -n "$rx" ] && [ -n "$rrt" ] || grep -a 'vmm.*net' /tmp/$1.out | sed 's/^/# /'
	[ -n "$tx" ] || show /tmp/$1.out 20
	t=0.25
	[ "$1" = tap ] && t=0.5
	# seconds for mib MiB each way: lower is better
	result net "$1: guest to host" "$tx" "$floor_tx" s lower $t
	result net "$1: host to guest" "$rx" "$floor_rx" s lower $t
	result net "$1: request/response" "$rrt" "$floor_rr" ms lower
	echo "# bench: net $1: guest to host $(rate "$tx") MiB/s ($(awk -v a="$floor_tx" -v b="$tx" 'BEGIN { if (b > 0) printf "%.2f", a / b }')x the floor's), host to guest $(rate "$rx") MiB/s ($(awk -v a="$floor_rx" -v b="$rx" 'BEGIN { if (b > 0) printf "%.2f", a / b }')x), request/response $rrt ms ($(awk -v a="$floor_rr" -v b="$rrt" 'BEGIN { if (a > 0) printf "%.1f", b / a }')x the floor's time); the guest's dd into cat, no network: $(rate "$pipe") MiB/s ($(awk -v a="$host_pipe" -v b="$pipe" 'BEGIN { if (b > 0) printf "%.2f", a / b }')x the nested host's), TCP over its loopback $(rate "$loop") MiB/s; its CPU busy ${busy}% of the send"
	# what KVM counted for the whole run (kvm/stats.c)
	tr -d '\r' </tmp/$1.out | sed -n 's/.*kvm: vCPU \([0-9]*\) counted:/# bench: net '"$1"': vCPU \1, what KVM counted:/p'
}
guest user "user,hostfwd=tcp:8082:80,hostfwd=tcp:8083:5002" 127.0.0.1 8083 8082
guest tap tap=tapa 192.168.77.2 5002 80
kill $ns
done_testing
