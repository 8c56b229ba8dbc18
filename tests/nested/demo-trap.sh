# The trap backend's demo (make demo BACKEND=trap, or make demo where the
# host has no H extension): this nested host has no /dev/kvm, and vmm boots
# the NOMMU Linux guest into a busybox shell on this console anyway.
echo "nested host up (no H extension); starting: vmm run --kernel /guest/nommu/Image --initrd /guest/nommu/rootfs.cpio --cpus 2"
echo "it runs on the trap backend: the kernel takes about half a minute to boot here (TCG inside TCG)"
echo "in the guest: 'exit' or 'poweroff -f' ends it (Ctrl-A x here quits the outer QEMU)"
vmm run --kernel /guest/nommu/Image --initrd /guest/nommu/rootfs.cpio --cpus 2 --memory 256M
echo "vmm exited with status $?"
