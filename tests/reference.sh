#!/bin/sh
# Run each firmware program on plain qemu-system-riscv64 -M virt, the
# reference every guest is compared with: its console lines must be
# firmware/expected/NAME.txt, which the nested tests hold vmm to as well.
# Console output is kept in build/reference/. Prints TAP.
mkdir -p build/reference
# A disk for the guests that read one: "VMMDISK!" first.
disk=build/reference/disk.img
dd if=/dev/zero of=$disk bs=1M count=1 2>/dev/null
printf 'VMMDISK!' | dd of=$disk conv=notrunc 2>/dev/null
disk_args="-global virtio-mmio.force-legacy=false
	-drive file=$disk,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0"
# ref NAME BIOS SMP PREFIX DESCRIPTION [QEMU ARGS...]
# The console's input is firmware/expected/NAME.in where there is one.
ref() {
	name=$1 bios=$2 smp=$3 prefix=$4 desc=$5
	shift 5
	out=build/reference/$name.out
	in=firmware/expected/$name.in
	[ -f "$in" ] || in=/dev/null
	timeout 30 qemu-system-riscv64 -M virt -smp "$smp" -nographic \
		-bios "$bios" -kernel "build/firmware/$name.elf" "$@" \
		<"$in" 2>&1 | tr -d '\r' | grep -a "^$prefix" >"$out"
	if cmp -s "$out" "firmware/expected/$name.txt"; then
		echo "ok - reference: $name on QEMU: $desc"
	else
		echo "not ok - reference: $name on QEMU: $desc"
		sed 's/^/#   /' "$out"
	fi
}
ref hello-s default 1 'hello from vmm firmware' "prints through the UART and SBI (OpenSBI)"
ref hello-m none 1 'hello from vmm firmware' "prints through the UART (-bios none)"
ref sbi-s default 1 'sbi: ' "experimental and vendor calls answer NOT_SUPPORTED"
ref timer-s default 1 'timer: ' "five timer interrupts, none early"
ref smp-s default 4 'smp: ' "three harts started by HSM, woken by IPIs, stopped (-smp 4)"
ref mmode-m none 1 'mmode: ' "CLINT timer and msip, PMP, delegation, mret to S, Sstc, ecalls back (-bios none)"
ref rfence-s default 2 'rfence: ' "a page remapped under the other hart, fenced by SBI RFENCE (-smp 2)"
ref plic-s default 1 'plic: ' "UART and virtio-blk interrupts through the PLIC, threshold, sie mask" $disk_args
ref trampoline-s default 1 'trampoline: ' "xv6's trampoline: kernel and user page tables switched on every trap, a console reader, a worker, a disk reader woken by the disk's interrupt" \
	$disk_args
# The same kernel on 4 harts: the same lines, and one more saying the
# processes ran on more than one of them.
smp_out=build/reference/trampoline-smp.out
timeout 30 qemu-system-riscv64 -M virt -smp 4 -nographic -bios default \
	-kernel build/firmware/trampoline-s.elf $disk_args <firmware/expected/trampoline-s.in 2>&1 |
	tr -d '\r' | grep -a '^trampoline: ' >"$smp_out"
if cmp -s "$smp_out" firmware/expected/trampoline-smp.txt; then
	echo "ok - reference: trampoline-s on QEMU, 4 harts: the processes shared among them, under one kernel lock"
else
	echo "not ok - reference: trampoline-s on QEMU, 4 harts: the processes shared among them, under one kernel lock"
	sed 's/^/#   /' "$smp_out"
fi
ref trampoline-m none 1 'trampoline: ' "the same started as xv6 starts: M-mode, CLINT ticks forwarded to S-mode as SSIP (-bios none)" \
	$disk_args
ref fastcsr-s default 1 'fastcsr: ' "the CSRs a kernel uses all the time, each reached natively: values, SIE with an interrupt pending, U-mode"
ref minikernel-m none 1 'minikernel: ' "two U-mode processes, Sv39, timer preemption, system calls, interrupt-driven virtio-blk (-bios none)" \
	$disk_args
# Debian's U-Boot for QEMU virt (MODE s: after OpenSBI; m: as -bios, on 4
# harts) runs the command line of firmware/expected/u-boot.in: what it
# prints between its "ub: start" and "ub: done" markers is
# firmware/expected/u-boot.txt.
# (Only that part: the banner names the machine, and the blank lines ahead
# of the commands are partly eaten by U-Boot's serial set-up and autoboot.)
ref_u_boot() {
	mode=$1
	case $mode in
	s) boot="-smp 1 -bios default -kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin" ;;
	m) boot="-smp 4 -bios /usr/lib/u-boot/qemu-riscv64/u-boot.bin" ;;
	esac
	out=build/reference/u-boot-$mode.out
	timeout 60 qemu-system-riscv64 -M virt -m 256M -nographic $boot $disk_args \
		<firmware/expected/u-boot.in >"$out.raw" 2>&1
	status=$?
	tr -d '\r' <"$out.raw" >"$out.log"
	sed -n '/^ub: start/,/^ub: done/p' "$out.log" >"$out"
	if [ $status -eq 0 ] && cmp -s "$out" firmware/expected/u-boot.txt; then
		echo "ok - reference: U-Boot ($mode-mode) on QEMU: virtio-blk read, then poweroff"
	else
		echo "not ok - reference: U-Boot ($mode-mode) on QEMU: virtio-blk read, then poweroff (exit status $status)"
		tail -n 15 "$out.log" | sed 's/^/#   /'
	fi
}
ref_u_boot s
ref_u_boot m
# The trap backend's NOMMU Linux (tests/nested/nommu.sh's commands) on QEMU
# with OpenSBI: the lines the nested tests hold vmm to. QEMU reads its
# console as fast as it comes, so the commands wait for the prompt.
ref_nommu() {
	out=build/reference/nommu
	NOMMU_KERNEL=${NOMMU_KERNEL:-}
	if [ ! -r "$NOMMU_KERNEL" ] || [ ! -r build/nested/nommu.cpio ]; then
		echo "not ok - reference: NOMMU Linux on QEMU: NOMMU_KERNEL ($NOMMU_KERNEL) or build/nested/nommu.cpio missing (make images build/nested/nommu.cpio)"
		return
	fi
	. tests/nested/nommu.sh
	rm -f "$out.fifo" "$out.raw"
	mkfifo "$out.fifo"
	(
		exec 3>"$out.fifo"
		i=0
		until grep -q 'shell ready' "$out.raw" 2>/dev/null || [ $i -ge 300 ]; do sleep 0.2; i=$((i + 1)); done
		printf '%s\nexit\n' "$NOMMU_CMDS" >&3
		sleep 30
	) &
	timeout 60 qemu-system-riscv64 -M virt -m 256M -nographic -bios default \
		-kernel "$NOMMU_KERNEL" -initrd build/nested/nommu.cpio -append console=ttyS0 \
		<"$out.fifo" >"$out.raw" 2>&1
	status=$?
	kill $! 2>/dev/null
	rm -f "$out.fifo"
	tr -d '\r' <"$out.raw" >"$out.log"
	missing=
	for l in 'ONE TWO THREE' background-42 cpus=1 'irq-line:.*ttyS0'; do
		grep -q "$l" "$out.log" || missing="$missing '$l'"
	done
	grep -q 'Linux_6\.12' "$out.log" || missing="$missing uname"
	if [ $status -eq 0 ] && [ -z "$missing" ]; then
		echo "ok - reference: NOMMU Linux on QEMU: its shell runs the nested tests' commands, then powers off"
	else
		echo "not ok - reference: NOMMU Linux on QEMU (exit status $status; missing:$missing)"
		tail -n 15 "$out.log" | sed 's/^/#   /'
	fi
}
ref_nommu
