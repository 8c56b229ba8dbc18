# cpu: h=true
# timeout: 600
# virtio-net on TAP devices: two Linux guests on a bridge of the nested
# host exchange NET_MIB MiB over TCP (HTTP) and agree on its sha256; a TAP
# device vmm makes itself (as root) is up while the VM runs and gone after.
. /tests/lib.sh
plan 6
mib=${NET_MIB:-16}
ip link set lo up
ip link add br1 type bridge
ip link set br1 up
for t in tapa tapb; do
	tunctl -t $t >/dev/null
	brctl addif br1 $t
	ip link set $t up
done
guest() { # NAME TAP ROLE
	vmm run --name "$1" --kernel /guest/Image --initrd /guest/guest.cpio --memory 512M \
		--cmdline "console=ttyS0 quiet vmm.guest=script:net-tap vmm.netrole=$3 vmm.netmib=$mib" \
		--net "tap=$2" </dev/null >"/tmp/$1.out" 2>&1
}
guest srv tapa server &
srv=$!
guest cli tapb client &
cli=$!
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
vmm stop srv --timeout 20 >/dev/null 2>&1
vmm stop cli --timeout 20 >/dev/null 2>&1
wait $srv
s1=$?
wait $cli
s2=$?
check "both power off at vmm stop (exit $s1, $s2)" test $s1 -eq 0 -a $s2 -eq 0
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
