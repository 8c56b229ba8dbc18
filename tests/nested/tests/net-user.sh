# cpu: h=true
# timeout: 400
# virtio-net on user-mode networking (--net user: vmm starts passt): the
# Linux guest gets an address by DHCP, fetches a file from a web server on
# the nested host and serves one the host fetches through hostfwd; passt
# goes with the VM; firmware/netattack's hostile driver is contained, on
# both backends; bad --net specs and a missing passt are clear errors.
. /tests/lib.sh
on_tmpfs_root "$0"
plan 16
# The nested host's own network: passt needs a default route to copy.
ip link set lo up
ip link add br0 type bridge
ip addr add 10.0.2.15/24 dev br0
ip link set br0 up
ip route add default via 10.0.2.2 dev br0
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/blob bs=65536 count=16 2>/dev/null
want=$(sha256sum </tmp/www/blob | cut -d' ' -f1)
httpd -p 8080 -h /tmp/www
vmm run --name web --kernel /guest/Image --initrd /guest/guest.cpio \
	--cmdline "console=ttyS0 quiet vmm.guest=script:net-user" \
	--net user,hostfwd=tcp:8081:80 --log-level debug </dev/null >/tmp/net.out 2>&1 &
vmm_pid=$!
wait_for 'guest-net-serving\|guest-done' /tmp/net.out $vmm_pid
tr -d '\r' </tmp/net.out >/tmp/net.txt
check "the guest's interface got an address by DHCP from passt" grep -q '^guest-dhcp: 10.0.2.15/24 router 10.0.2.2' /tmp/net.txt
check "the guest fetched the host's file over HTTP, whole (sha256 $want)" grep -q "^guest-net-fetched: $want\$" /tmp/net.txt
served=$(sed -n 's/^guest-net-serving: //p' /tmp/net.txt)
wget -q -O /tmp/gfile http://127.0.0.1:8081/gfile
got=$(sha256sum </tmp/gfile | cut -d' ' -f1)
check "the host fetched the guest's file through hostfwd (sha256 $got)" test -n "$served" -a "$got" = "$served"
check "passt runs beside vmm" sh -c 'cat /proc/[0-9]*/stat 2>/dev/null | grep -q "(passt) [^Z]"'
vmm stop web --timeout 20 >/dev/null 2>&1
wait $vmm_pid
status=$?
tr -d '\r' </tmp/net.out >/tmp/net.txt
check "vmm stop ends it, powered off (exit $status)" [ $status -eq 0 ]
[ $status -eq 0 ] || show /tmp/net.txt 30
sleep 0.5
check "passt went with the VM" sh -c '! cat /proc/[0-9]*/stat 2>/dev/null | grep -q "(passt) [^Z]"'
grep 'virtio-net: pair' /tmp/net.txt | sed 's/^/# /'
check "frames came from passt straight into the driver's buffers" \
	grep -q 'pair 0: [1-9][0-9]* frames in ([1-9][0-9]* straight' /tmp/net.txt
check "vmm says what the interface is" grep -q '^vmm: web: \(\[[^]]*\] \)\{0,1\}net0: user (passt), MAC 52:54:00:' /tmp/net.txt
for backend in kvm trap; do
	vmm run --kernel /firmware/netattack-s.elf --net user --backend $backend \
		</dev/null >/tmp/na.out 2>/tmp/na.err
	status=$?
	tr -d '\r' </tmp/na.out >/tmp/na.txt
	check "netattack ($backend): every outcome as expected (exit $status, $(grep -c 'as expected' /tmp/na.txt) checks)" \
		sh -c "[ $status -eq 0 ] && [ \$(grep -c ': as expected\$' /tmp/na.txt) -eq 10 ]"
	check "netattack ($backend): three attacks, three resets" [ "$(grep -c ': device needs reset$' /tmp/na.txt)" -eq 3 ]
	[ $status -eq 0 ] || { show /tmp/na.txt 20; show /tmp/na.err; }
done
printf '[kernel]\npath = /guest/Image\n[net "up"]\nmode = user\nhostfwd = tcp:2222:22, udp:5353:53\n[net "lan"]\nmode = tap\nifname = tapx\n' >/tmp/net.conf
vmm check -c /tmp/net.conf >/tmp/check.out 2>&1
check "vmm check reads [net] sections: '$(cat /tmp/check.out)'" grep -q '^ok: /guest/Image, 1 vCPUs, 256 MiB, 0 disks, 2 network interfaces$' /tmp/check.out
PATH=/nonexistent /bin/vmm run --kernel /guest/Image --net user </dev/null >/tmp/nopasst.out 2>&1
status=$?
check "no passt: exit 70 and how to get it: '$(head -n 1 /tmp/nopasst.out)'" \
	sh -c "[ $status -eq 70 ] && grep -q 'passt, which is not in PATH (Debian: apt install passt)' /tmp/nopasst.out"
vmm run --kernel /guest/Image --net bogus </dev/null >/tmp/bad.out 2>&1
status=$?
check "--net bogus: a usage error ($status): '$(cat /tmp/bad.out)'" \
	sh -c "[ $status -eq 64 ] && grep -q \"^vmm: --net bogus: 'bogus': must start with user or tap=IFNAME\" /tmp/bad.out"
vmm run --kernel /guest/Image --net user,hostfwd=tcp:99999:80 </dev/null >/tmp/bad.out 2>&1
status=$?
check "a bad hostfwd: a usage error ($status): '$(cat /tmp/bad.out)'" \
	sh -c "[ $status -eq 64 ] && grep -q 'hostfwd=tcp:99999:80: must be tcp:HOSTPORT:GUESTPORT' /tmp/bad.out"
done_testing
