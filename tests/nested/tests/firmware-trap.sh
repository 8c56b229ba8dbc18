# cpu: h=false
# timeout: 300
# The trap-and-emulate backend on a host without the H extension: the
# firmware guests run natively, deprivileged, and print what they print
# under KVM and on plain QEMU.
. /tests/lib.sh
plan 15
run() { # firmware [args]: output in /tmp/$1.txt, status returned
	f=$1
	shift
	vmm run --kernel /firmware/$f-s.elf --log-level info "$@" </dev/null >/tmp/$f.out 2>/tmp/$f.err
	status=$?
	tr -d '\r' </tmp/$f.out >/tmp/$f.txt
	return $status
}
run hello
check "hello-s: exit 0 on the trap backend" [ $? -eq 0 ]
check "--backend auto chose trap: no /dev/kvm here" grep -q '^vmm: backend: trap$' /tmp/hello.err
printf 'hello from vmm firmware: S-mode, hart 0, uart\nhello from vmm firmware: S-mode, hart 0, sbi\n' >/tmp/want.txt
check "hello-s prints the reference output (UART through SIGSEGV, SBI through SIGSYS)" cmp -s /tmp/hello.txt /tmp/want.txt
cmp -s /tmp/hello.txt /tmp/want.txt || { show /tmp/hello.txt; show /tmp/hello.err; }
run csr
check "csr-s: an unimplemented CSR traps into the guest, as under KVM" grep -q '^csr: hstatus trapped, scause 2$' /tmp/csr.txt
check "csr-s: rdtime advances" grep -q '^csr: time advances$' /tmp/csr.txt
run sbi
status=$?
printf 'sbi: experimental extension: error -2\nsbi: vendor extension: error -2\nsbi: base extension answers: yes\n' >/tmp/want-sbi.txt
check "sbi-s: same answers as OpenSBI on plain QEMU (exit $status)" cmp -s /tmp/sbi.txt /tmp/want-sbi.txt
run crash
status=$?
check "crash-s: exit 66 (exit $status)" [ $status -eq 66 ]
check "crash-s: registers dumped" grep -q '^vmm:   pc ' /tmp/crash.err
dd if=/dev/zero of=/tmp/fw.img bs=1M count=1 2>/dev/null
printf 'VMMDISK!' | dd of=/tmp/fw.img conv=notrunc 2>/dev/null
run virtio --disk /tmp/fw.img
status=$?
check "virtio-s: raw virtqueues and hostile chains on the trap backend (exit $status)" [ $status -eq 0 ]
check "virtio-s: every outcome as expected" grep -q '^virtio: 0 unexpected outcomes$' /tmp/virtio.txt
[ $status -eq 0 ] || show /tmp/virtio.txt
vmm run --backend kvm --kernel /firmware/hello-s.elf </dev/null >/tmp/kvm.out 2>&1
status=$?
check "--backend kvm where there is none: exit 70 ($status)" [ $status -eq 70 ]
check "... '$(cat /tmp/kvm.out)'" grep -q '^vmm: /dev/kvm: No such file or directory (this host has no usable KVM)$' /tmp/kvm.out
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
