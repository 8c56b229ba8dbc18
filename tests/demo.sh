#!/bin/sh
# make demo: boot a Linux guest under vmm with its console on this terminal.
# BACKEND=kvm (the default where the host can): the MMU Linux guest under
# KVM. BACKEND=trap (the default on a riscv64 host without /dev/kvm): the
# NOMMU Linux guest on the trap backend. On riscv64: directly. Elsewhere:
# inside nested qemu-system-riscv64, with the H extension for kvm and
# without it for trap, whose /init runs tests/nested/demo.sh or
# tests/nested/demo-trap.sh.
: "${KERNEL:?KERNEL must name the kernel Image}"
: "${NOMMU_KERNEL:?NOMMU_KERNEL must name the NOMMU kernel Image}"
backend=${BACKEND:-}
if [ "$(uname -m)" = riscv64 ]; then
	[ -n "$backend" ] || { [ -c /dev/kvm ] && backend=kvm || backend=trap; }
	if [ "$backend" = trap ]; then
		exec build/riscv64/vmm run --backend trap --kernel "$NOMMU_KERNEL" \
			--initrd build/nested/nommu.cpio --cpus 2 --memory 256M
	fi
	exec build/riscv64/vmm run --kernel "$KERNEL" --initrd build/nested/guest.cpio \
		--cpus 2 --memory 256M --cmdline "console=ttyS0 quiet"
fi
case ${backend:-kvm} in
kvm) h=true test=demo ;;
trap) h=false test=demo-trap ;;
*) echo "make demo: BACKEND is kvm or trap, not '$backend'" >&2; exit 64 ;;
esac
echo "make demo: this host is $(uname -m): booting the nested riscv64 host first, h=$h (Ctrl-A x quits QEMU)"
exec qemu-system-riscv64 -M virt -cpu rv64,h=$h -smp 2 -m 2G -nographic -no-reboot \
	-bios default -kernel "$KERNEL" -initrd build/nested/host.cpio \
	-append "console=ttyS0 quiet vmm.test=$test"
