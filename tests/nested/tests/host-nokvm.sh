# cpu: h=false
# timeout: 120
# A nested host without the H extension: no /dev/kvm; --backend auto falls
# back to trap-and-emulate, --backend kvm says there is no KVM.
. /tests/lib.sh
plan 3
check "no /dev/kvm without the H extension" test ! -e /dev/kvm
vmm run --kernel /firmware/hello-s.elf </dev/null >/tmp/out 2>/tmp/err
status=$?
check "vmm run (auto) runs the guest anyway (exit $status)" grep -q 'hello from vmm firmware' /tmp/out
vmm run --backend kvm --kernel /firmware/hello-s.elf </dev/null >/tmp/out 2>/tmp/err
check "--backend kvm: one line saying there is no usable KVM" sh -c '[ "$(wc -l </tmp/err)" -eq 1 ] && grep -q "^vmm: /dev/kvm: No such file or directory (this host has no usable KVM)$" /tmp/err'
done_testing
