# cpu: h=true
# timeout: 120
# firmware/ programs under vmm print what they print on plain QEMU.
. /tests/lib.sh
plan 14
vmm run --kernel /firmware/hello-s.elf </dev/null >/tmp/hello.out 2>/tmp/hello.err
status=$?
check "hello-s.elf under vmm: exit status 0 (PASS at the finisher)" [ $status -eq 0 ]
tr -d '\r' </tmp/hello.out >/tmp/hello.txt
printf 'hello from vmm firmware: S-mode, hart 0, uart\nhello from vmm firmware: S-mode, hart 0, sbi\n' >/tmp/want.txt
check "hello-s.elf prints the reference output (UART and SBI)" cmp -s /tmp/hello.txt /tmp/want.txt
cmp -s /tmp/hello.txt /tmp/want.txt || { show /tmp/hello.txt; show /tmp/hello.err; }
vmm run --kernel /firmware/hello-s.bin </dev/null >/tmp/raw.out 2>&1
tr -d '\r' </tmp/raw.out >/tmp/raw.txt
check "hello-s.bin as a raw binary at 0x80200000 prints the same" cmp -s /tmp/raw.txt /tmp/want.txt
vmm run --kernel /firmware/csr-s.elf </dev/null >/tmp/csr.out 2>/tmp/csr.err
status=$?
tr -d '\r' </tmp/csr.out >/tmp/csr.txt
# Linux 6.1 KVM forwards no CSR to userspace: the guest gets the trap.
check "csr-s.elf: an unimplemented CSR traps into the guest (6.1 KVM)" grep -q '^csr: hstatus trapped, scause 2$' /tmp/csr.txt
check "csr-s.elf: guest time advances" grep -q '^csr: time advances$' /tmp/csr.txt
check "csr-s.elf: the guest carried on to PASS (exit status 0)" [ $status -eq 0 ]
[ $status -eq 0 ] || { show /tmp/csr.txt; show /tmp/csr.err; }
vmm run --kernel /firmware/sbi-s.elf </dev/null >/tmp/sbi.out 2>&1
status=$?
tr -d '\r' </tmp/sbi.out >/tmp/sbi.txt
printf 'sbi: experimental extension: error -2\nsbi: vendor extension: error -2\nsbi: base extension answers: yes\n' >/tmp/want-sbi.txt
check "sbi-s.elf: forwarded experimental/vendor SBI calls answer NOT_SUPPORTED, as on QEMU" cmp -s /tmp/sbi.txt /tmp/want-sbi.txt
check "sbi-s.elf: exit status 0" [ $status -eq 0 ]
cmp -s /tmp/sbi.txt /tmp/want-sbi.txt || show /tmp/sbi.txt
vmm run --kernel /firmware/crash-s.elf </dev/null >/tmp/crash.out 2>/tmp/crash.err
status=$?
check "crash-s.elf: an unhandled guest trap ends the VM with exit status 66" [ $status -eq 66 ]
check "crash-s.elf: the vCPU's registers are dumped" grep -q '^vmm:   pc   0x00000000802' /tmp/crash.err
check "crash-s.elf: the guest ran up to the crash" grep -q 'crash: executing an illegal instruction' /tmp/crash.out
[ $status -eq 66 ] || show /tmp/crash.err
vmm run --kernel /firmware/timer-s.elf </dev/null >/tmp/timer.out 2>&1
status=$?
check "timer-s: five SBI timer interrupts through stvec, as on QEMU (exit $status)" [ $status -eq 0 ]
check "timer-s: none came early" grep -q '^timer: 5 interrupts, none early' /tmp/timer.out
[ $status -eq 0 ] || show /tmp/timer.out
vmm run --kernel /firmware/smp-s.elf --cpus 4 </dev/null >/tmp/smp.out 2>&1
status=$?
check "smp-s: 4 harts through SBI HSM and IPI, as on QEMU (exit $status)" grep -q '^smp: 3 harts started, 3 IPIs taken, 3 stopped' /tmp/smp.out
[ $status -eq 0 ] || show /tmp/smp.out
done_testing
