# cpu: h=true
# timeout: 300
# How a guest ends a VM: its exit becomes vmm's exit status.
. /tests/lib.sh
plan 6
run() { vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cmdline "console=ttyS0 quiet vmm.guest=$1" </dev/null >/tmp/$1.out 2>&1; }
expect_status 42 "guest FAIL code 42 at the test finisher: vmm exits 42" run fail
expect_status 65 "guest reboot without --reboot: vmm exits 65" run reset
expect_status 0 "guest device tree readout: vmm exits 0" run dt
tr -d '\r' </tmp/dt.out >/tmp/dt.txt
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cmdline "console=ttyS0 quiet vmm.guest=dt" --dump-dtb /tmp/vm.dtb
isa=$(sed -n 's/^guest-dt: isa //p' /tmp/dt.txt)
check "guest sees riscv,isa '$isa' that --dump-dtb wrote" sh -c "[ -n '$isa' ] && grep -q '$isa' /tmp/vm.dtb"
check "guest sees the bootargs vmm wrote" grep -q '^guest-dt: bootargs console=ttyS0 quiet vmm.guest=dt$' /tmp/dt.txt
tb=$(cat /proc/device-tree/cpus/timebase-frequency | od -An -tu1 | awk '{print $1*16777216+$2*65536+$3*256+$4}')
check "guest timebase-frequency equals the host's ($tb)" grep -q "^guest-dt: timebase $tb\$" /tmp/dt.txt
grep -q "^guest-dt: timebase $tb\$" /tmp/dt.txt || show /tmp/dt.txt
done_testing
