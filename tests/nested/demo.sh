# The demo (make demo on a non-riscv64 host): the nested host boots, then
# vmm boots the Linux guest into a busybox shell on this console.
echo "nested host up; starting: vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2"
echo "in the guest: 'poweroff -f' ends it (Ctrl-A x here quits the outer QEMU)"
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 --memory 256M \
	--cmdline "console=ttyS0 quiet"
echo "vmm exited with status $?"
