#!/bin/sh
# Run each firmware program on plain qemu-system-riscv64 -M virt, the
# reference every guest is compared with; keep its console output in
# build/reference/ for the nested tests' comparison. Prints TAP.
mkdir -p build/reference
run() { # name bios elf
	out=build/reference/$1.out
	timeout 30 qemu-system-riscv64 -M virt -nographic -bios "$2" -kernel "$3" \
		</dev/null 2>&1 | tr -d '\r' | grep '^hello from vmm firmware' >"$out"
}
t() { if eval "$2"; then echo "ok - reference: $1"; else echo "not ok - reference: $1"; sed 's/^/#   /' "$3"; fi; }
run hello-s default build/firmware/hello-s.elf
t "hello-s on QEMU with OpenSBI prints through the UART and SBI" \
	'[ "$(cat build/reference/hello-s.out)" = "$(printf "hello from vmm firmware: S-mode, hart 0, uart\nhello from vmm firmware: S-mode, hart 0, sbi")" ]' build/reference/hello-s.out
run hello-m none build/firmware/hello-m.elf
t "hello-m on QEMU with -bios none prints through the UART" \
	'[ "$(cat build/reference/hello-m.out)" = "hello from vmm firmware: M-mode, hart 0, uart" ]' build/reference/hello-m.out
run_all() { # name
	timeout 30 qemu-system-riscv64 -M virt -nographic -bios default -kernel "build/firmware/$1.elf" \
		</dev/null 2>&1 | tr -d '\r' | grep "^$2" >"build/reference/$1.out"
}
run_all sbi-s 'sbi: '
t "sbi-s on QEMU with OpenSBI: experimental and vendor calls answer NOT_SUPPORTED" \
	'[ "$(cat build/reference/sbi-s.out)" = "$(printf "sbi: experimental extension: error -2\nsbi: vendor extension: error -2\nsbi: base extension answers: yes")" ]' build/reference/sbi-s.out
run_all timer-s 'timer: '
t "timer-s on QEMU with OpenSBI: five timer interrupts, none early" \
	'[ "$(cat build/reference/timer-s.out)" = "timer: 5 interrupts, none early" ]' build/reference/timer-s.out
timeout 30 qemu-system-riscv64 -M virt -smp 4 -nographic -bios default -kernel build/firmware/smp-s.elf \
	</dev/null 2>&1 | tr -d '\r' | grep -a '^smp: ' >build/reference/smp-s.out
t "smp-s on QEMU with OpenSBI (-smp 4): three harts started, IPIs taken, stopped" \
	'[ "$(cat build/reference/smp-s.out)" = "smp: 3 harts started, 3 IPIs taken, 3 stopped" ]' build/reference/smp-s.out
