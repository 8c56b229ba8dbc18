# cpu: h=true
# timeout: 600
# The trap backend's NOMMU Linux guest runs under KVM too: the same kernel
# and userspace, 2 harts, as on the trap backend (nommu-trap.sh) and on
# QEMU (tests/reference.sh).
. /tests/lib.sh
. /tests/nommu.sh
plan 7
nommu_boot kvm "$NOMMU_CMDS" --backend kvm --cpus 2 --initrd $NOMMU/rootfs.cpio --log-level info
nommu_check_shell kvm "KVM backend, 2 harts" 2
check "it ran on the KVM backend" grep -q 'backend: kvm' /tmp/kvm.err
done_testing
