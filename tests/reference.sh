#!/bin/sh
# Run each firmware program on plain qemu-system-riscv64 -M virt, the
# reference every guest is compared with: its console lines must be
# firmware/expected/NAME.txt, which the nested tests hold vmm to as well.
# Console output is kept in build/reference/. Prints TAP.
mkdir -p build/reference
# ref NAME BIOS SMP PREFIX DESCRIPTION
ref() {
	out=build/reference/$1.out
	timeout 30 qemu-system-riscv64 -M virt -smp "$3" -nographic -bios "$2" \
		-kernel "build/firmware/$1.elf" </dev/null 2>&1 | tr -d '\r' |
		grep -a "^$4" >"$out"
	if cmp -s "$out" "firmware/expected/$1.txt"; then
		echo "ok - reference: $1 on QEMU: $5"
	else
		echo "not ok - reference: $1 on QEMU: $5"
		sed 's/^/#   /' "$out"
	fi
}
ref hello-s default 1 'hello from vmm firmware' "prints through the UART and SBI (OpenSBI)"
ref hello-m none 1 'hello from vmm firmware' "prints through the UART (-bios none)"
ref sbi-s default 1 'sbi: ' "experimental and vendor calls answer NOT_SUPPORTED"
ref timer-s default 1 'timer: ' "five timer interrupts, none early"
ref smp-s default 4 'smp: ' "three harts started by HSM, woken by IPIs, stopped (-smp 4)"
ref mmode-m none 1 'mmode: ' "CLINT timer and msip, PMP, delegation, mret to S, ecalls back (-bios none)"
