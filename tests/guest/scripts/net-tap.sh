# Two guests on a bridge of TAP devices (vmm.netrole= on the command line):
# the server serves vmm.netmib= MiB of a known pattern over HTTP, the
# client fetches it over TCP; each prints the data's sha256 for the host to
# compare. The host ends both VMs when it is done.
arg() { sed -n "s/.*vmm\.$1=\([a-z0-9]*\).*/\1/p" /proc/cmdline; }
ip link set lo up
ip link set eth0 up
if [ "$(arg netrole)" = server ]; then
	ip addr add 192.168.77.1/24 dev eth0
	mkdir -p /tmp/www
	yes 0123456789abcdef | head -c $(($(arg netmib) * 1048576)) >/tmp/www/data
	echo ready >/tmp/www/ready
	httpd -p 80 -h /tmp/www || exit 1
	echo "guest-net-serving: $(sha256sum </tmp/www/data | cut -d' ' -f1)"
else
	ip addr add 192.168.77.2/24 dev eth0
	i=0
	until wget -q -O /dev/null http://192.168.77.1/ready 2>/dev/null || [ $i -ge 300 ]; do
		sleep 1
		i=$((i + 1))
	done
	# One queue pair per vCPU (vmm makes this TAP device multi_queue);
	# a fetch from the second vCPU leaves by the second transmit queue,
	# and the TAP device answers on the queue its flow came in on.
	echo "guest-net-queues: $(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
	taskset 2 wget -q -O /dev/null http://192.168.77.1/ready &&
		echo "guest-net-cpu1: fetched"
	t0=$(cut -d' ' -f1 /proc/uptime)
	sum=$(wget -q -O - http://192.168.77.1/data | sha256sum | cut -d' ' -f1)
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "guest-net-time: $t0 $t1"
	echo "guest-net-got: $sum"
fi
sleep 600
