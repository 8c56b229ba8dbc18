# The guest's half of bench/net.sh (vmm.netmode=user|tap, vmm.netmib=N):
# N MiB sent to the host (bench/tcp.c: 128 KiB writes), timed here; then
# a receiver and a web server for the host's half (host to guest, and
# request/response), which the host times. The host ends the VM.
arg() { sed -n "s/.*vmm\.$1=\([a-z0-9]*\).*/\1/p" /proc/cmdline; }
now() { cut -d' ' -f1 /proc/uptime; }
# the CPU's ticks so far, busy and idle (/proc/stat: idle and iowait idle)
ticks() { head -n 1 /proc/stat | awk '{ print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }'; }
ip link set lo up
ip link set eth0 up
if [ "$(arg netmode)" = user ]; then
	cp /tests/dhcp-event.sh /tmp/dhcp-event && chmod +x /tmp/dhcp-event
	udhcpc -i eth0 -n -q -t 10 -T 2 -s /tmp/dhcp-event >/dev/null 2>&1 || exit 1
	host=$(ip route | awk '/^default/ { print $3 }')
	[ -z "$(arg netmtu)" ] || ip link set eth0 mtu "$(arg netmtu)"
else
	ip addr add 192.168.77.2/24 dev eth0
	host=192.168.77.254
fi
# vmm.nettsq=BYTES: TCP's limit on what one socket has queued in the
# device (for experiments)
[ -z "$(arg nettsq)" ] || echo "$(arg nettsq)" >/proc/sys/net/ipv4/tcp_limit_output_bytes
i=0
until wget -q -O /dev/null "http://$host:8080/one" 2>/dev/null || [ $i -ge 120 ]; do
	sleep 1
	i=$((i + 1))
done
# the same pipeline into cat: what the guest's CPU alone allows
t0=$(now)
dd if=/dev/zero bs=65536 count=$(($(arg netmib) * 16)) 2>/dev/null | cat >/dev/null
echo "guest-bench-pipe: $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')"
# TCP over the guest's loopback, both ends in the guest: its TCP alone
bench-tcp sink 5009 &
sleep 1
t0=$(now)
bench-tcp send 127.0.0.1 5009 "$(arg netmib)"
echo "guest-bench-loopback: $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')"
# the host reads vmm stats now and once its receiver is done
echo "guest-bench-tx-begin"
sleep 1
set -- $(ticks)
t0=$(now)
bench-tcp send "$host" 5001 "$(arg netmib)"
echo "guest-bench-tx: $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')"
echo "guest-bench-busy: $(ticks | awk -v b="$1" -v i="$2" '{ d = $1 - b + $2 - i; if (d > 0) printf "%.0f", 100 * ($1 - b) / d }')"
mkdir -p /tmp/www
printf x >/tmp/www/one
httpd -p 80 -h /tmp/www
bench-tcp sink 5002 &
sleep 1
echo "guest-bench-listening"
wait
echo "guest-bench-rx-done"
sleep 600
