# cpu: h=true
# timeout: 120
# The nested host itself: /dev/kvm opens, vmm runs.
. /tests/lib.sh
plan 3
check "/dev/kvm exists" test -c /dev/kvm
check "/dev/kvm opens read-write" sh -c 'exec 3<>/dev/kvm'
vmm --version >/tmp/version 2>&1
check "vmm --version runs and prints its version" grep -q '^vmm ' /tmp/version
done_testing
