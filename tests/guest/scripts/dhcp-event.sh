#!/bin/sh
# udhcpc's event script (udhcpc -s): the lease becomes the interface's
# address, MTU and default route. Not a test of its own.
case $1 in
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	echo "guest-dhcp: $ip/${mask:-24} router ${router%% *} mtu ${mtu:-none}"
	;;
esac
exit 0
