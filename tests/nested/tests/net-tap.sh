# cpu: h=true
# timeout: 600
# virtio-net on TAP devices: two Linux guests on a bridge of the nested
# host exchange NET_MIB MiB over TCP (HTTP) and agree on its sha256. The
# server's TAP device is made beforehand without multi_queue (one queue
# pair for its 2 vCPUs, said at info); the client's is one vmm makes
# itself (as root), multi_queue: a pair per vCPU, both carrying frames.
# A TAP device vmm makes is up while the VM runs and gone after.
. /tests/lib.sh
plan 11
mib=${NET_MIB:-16}
ip link set lo up
ip link add br1 type bridge
ip link set br1 up
tunctl -t tapa >/dev/null
brctl addif br1 tapa
ip link set tapa up
guest() { # NAME TAP ROLE LOG-LEVEL
	vmm run --name "$1" --kernel /guest/Image --initrd /guest/guest.cpio --memory 512M \
		--cpus 2 --log-level "$4" \
		--cmdline "console=ttyS0 quiet vmm.guest=script:net-tap vmm.netrole=$3 vmm.netmib=$mib" \
		--net "tap=$2" </dev/null >"/tmp/$1.out" 2>&1
}
guest srv tapa server info &
srv=$!
guest cli tapc client debug &
cli=$!
i=0
until [ -e /sys/class/net/tapc ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
brctl addif br1 tapc
wait_for 'guest-net-got\|guest-done' /tmp/cli.out $cli 1000
tr -d '\r' </tmp/srv.out >/tmp/srv.txt
tr -d '\r' </tmp/cli.out >/tmp/cli.txt
served=$(sed -n 's/^guest-net-serving: //p' /tmp/srv.txt)
got=$(sed -n 's/^guest-net-got: //p' /tmp/cli.txt)
check "the server guest serves $mib MiB (sha256 $served)" [ -n "$served" ]
check "the client guest fetched all of it over the bridge, intact" test -n "$got" -a "$got" = "$served"
[ -n "$got" ] && [ "$got" = "$served" ] || { show /tmp/srv.txt; show /tmp/cli.txt; }
set -- $(sed -n 's/^guest-net-time: //p' /tmp/cli.txt)
[ $# -eq 2 ] && echo "# net-tap: $mib MiB in $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }') s, guest to guest"
check "a TAP device without multi_queue: one queue pair, and vmm says why" \
	grep -q 'tapa was made without multi_queue: one queue pair, not 2' /tmp/srv.txt
queues=$(sed -n 's/^guest-net-queues: //p' /tmp/cli.txt)
check "a multi_queue TAP device: the 2-vCPU guest has 2 queue pairs ($queues)" \
	test "$queues" = "rx-0 rx-1 tx-0 tx-1 "
check "the guest's second vCPU fetched through it" grep -q 'guest-net-cpu1: fetched' /tmp/cli.txt
vmm stop srv --timeout 20 >/dev/null 2>&1
vmm stop cli --timeout 20 >/dev/null 2>&1
wait $srv
s1=$?
wait $cli
s2=$?
check "both power off at vmm stop (exit $s1, $s2)" test $s1 -eq 0 -a $s2 -eq 0
# vmm's count at exit (debug): the second pair carried frames both ways.
tr -d '\r' </tmp/cli.out | grep 'virtio-net: pair' | sed 's/^/# /'
check "frames went in and out on both of the client's queue pairs" \
	sh -c "tr -d '\r' </tmp/cli.out | grep -q 'pair 0: [1-9][0-9]* frames in .* [1-9][0-9]* out' &&
		tr -d '\r' </tmp/cli.out | grep -q 'pair 1: [1-9][0-9]* frames in .* [1-9][0-9]* out'"
# With the TAP device's header the driver's, frames come in straight.
check "frames came into the client's buffers straight from the TAP device" \
	sh -c "tr -d '\r' </tmp/cli.out | grep -q 'pair 0: [1-9][0-9]* frames in ([1-9][0-9]* straight'"
# A TAP device vmm makes: up while the VM runs, gone with it.
vmm run --name mk --kernel /firmware/spin-s.elf --net tap=tapmade --detach >/dev/null 2>/tmp/mk.err
check "vmm makes a missing TAP device (as root) and brings it up" \
	sh -c '[ $(($(cat /sys/class/net/tapmade/flags 2>/dev/null || echo 0) & 1)) -eq 1 ]'
vmm kill mk >/dev/null 2>&1
vmm wait mk >/dev/null 2>&1
sleep 0.5
check "the TAP device went with the VM" [ ! -e /sys/class/net/tapmade ]
vmm run --kernel /guest/Image --net tap=tapa,hostfwd=tcp:1:2 </dev/null >/tmp/bad.out 2>&1
status=$?
check "hostfwd on a TAP device: a usage error ($status): '$(cat /tmp/bad.out)'" \
	sh -c "[ $status -eq 64 ] && grep -q 'hostfwd is for user networking' /tmp/bad.out"
done_testing
