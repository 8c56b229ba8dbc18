# cpu: h=false
# timeout: 120
# A nested host without the H extension: no /dev/kvm, and vmm says so.
. /tests/lib.sh
plan 3
check "no /dev/kvm without the H extension" test ! -e /dev/kvm
vmm run --kernel /firmware/hello-s.elf </dev/null >/tmp/out 2>/tmp/err
status=$?
check "vmm run exits 70 (monitor error)" [ $status -eq 70 ]
check "vmm says there is no usable KVM, in one line" sh -c '[ "$(wc -l </tmp/err)" -eq 1 ] && grep -q "^vmm: /dev/kvm: No such file or directory (this host has no usable KVM)$" /tmp/err'
done_testing
