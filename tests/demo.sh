#!/bin/sh
# make demo: boot the Linux guest under vmm with its console on this
# terminal. On riscv64 with /dev/kvm: directly. Elsewhere: inside nested
# qemu-system-riscv64 -cpu rv64,h=true, whose /init runs tests/nested/demo.sh.
: "${KERNEL:?KERNEL must name the kernel Image}"
if [ "$(uname -m)" = riscv64 ] && [ -c /dev/kvm ]; then
	exec build/riscv64/vmm run --kernel "$KERNEL" --initrd build/nested/guest.cpio \
		--cpus 2 --memory 256M --cmdline "console=ttyS0 quiet"
fi
echo "make demo: this host is $(uname -m): booting the nested riscv64 host first (Ctrl-A x quits QEMU)"
exec qemu-system-riscv64 -M virt -cpu rv64,h=true -smp 2 -m 2G -nographic -no-reboot \
	-bios default -kernel "$KERNEL" -initrd build/nested/host.cpio \
	-append "console=ttyS0 quiet vmm.test=demo"
