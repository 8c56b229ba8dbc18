# cpu: h=false
# timeout: 300
# The trap-and-emulate backend on a host without the H extension: the
# firmware guests run natively, deprivileged, and print what they print
# under KVM and on plain QEMU (firmware/expected/).
. /tests/lib.sh
plan 29
check_firmware hello-s "the reference output (UART through SIGSEGV, SBI through SIGSYS), exit 0" --log-level info
check "--backend auto chose trap: no /dev/kvm here" grep -q '^vmm: backend: trap$' /tmp/hello-s.err
run() { # firmware [args]: output in /tmp/$1.txt, status returned
	f=$1
	shift
	vmm run --kernel /firmware/$f-s.elf "$@" </dev/null >/tmp/$f.out 2>/tmp/$f.err
	status=$?
	tr -d '\r' </tmp/$f.out >/tmp/$f.txt
	return $status
}
run csr
check "csr-s: an unimplemented CSR traps into the guest, as under KVM" grep -q '^csr: hstatus trapped, scause 2$' /tmp/csr.txt
check "csr-s: rdtime advances" grep -q '^csr: time advances$' /tmp/csr.txt
check_firmware sbi-s "same answers as OpenSBI on plain QEMU"
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
run virtio
status=$?
check "virtio-s without a disk: every slot it probes answers as QEMU's empty ones, no device (exit $status)" \
	sh -c "[ $status -eq 1 ] && grep -q '^virtio: no virtio-blk device, or it refused us$' /tmp/virtio.txt"
[ $status -eq 1 ] || show /tmp/virtio.txt
vmm run --backend kvm --kernel /firmware/hello-s.elf </dev/null >/tmp/kvm.out 2>&1
status=$?
check "--backend kvm where there is none: exit 70 ($status)" [ $status -eq 70 ]
check "... '$(cat /tmp/kvm.out)'" grep -q '^vmm: /dev/kvm: No such file or directory (this host has no usable KVM)$' /tmp/kvm.out
check_firmware timer-s "five SBI timer interrupts through stvec, none early, as on QEMU"
check_firmware smp-s "4 harts through SBI HSM and IPI, as on QEMU" --cpus 4
check_firmware rfence-s "Sv39 on 2 harts: SBI RFENCE is complete when it returns, as on QEMU" --cpus 2
check_firmware plic-s "UART and virtio-blk interrupts from vmm's threads through the PLIC, as on QEMU" --disk /tmp/fw.img
check_firmware trampoline-s "an xv6-style kernel: its trampoline switches satp (and fences) on every trap; a console reader fed by piped input, a worker on its pages, a disk reader woken by the disk's interrupt, as on QEMU" --disk /tmp/fw.img
vmm run --kernel /firmware/trampoline-s.elf --cpus 4 --disk /tmp/fw.img </firmware/trampoline-s.in >/tmp/tr-smp.out 2>/tmp/tr-smp.err
status=$?
tr -d '\r' </tmp/tr-smp.out >/tmp/tr-smp.txt
status=$?
check "trampoline-s on 4 harts: processes move between harts under one kernel lock, their page tables switched on each, as on QEMU (exit $status)" \
	sh -c "[ $status -eq 0 ] && cmp -s /tmp/tr-smp.txt /firmware/trampoline-smp.expected"
cmp -s /tmp/tr-smp.txt /firmware/trampoline-smp.expected || { show /tmp/tr-smp.txt; show /tmp/tr-smp.err; }
check_firmware trampoline-m "the same kernel started as xv6 starts: M-mode, PMP, delegation, CLINT ticks forwarded to S-mode through sip.SSIP, mret into the kernel, as on QEMU" --entry-mode m --disk /tmp/fw.img
# xv6 links its programs at 0, below what a process without CAP_SYS_RAWIO
# may map (vm.mmap_min_addr; 64 KiB on many distributions): vmm runs
# whatever touches those pages itself.
min_addr=$(cat /proc/sys/vm/mmap_min_addr)
echo 65536 >/proc/sys/vm/mmap_min_addr
runas 1000 vmm run --kernel /firmware/trampoline-s.elf --disk /tmp/fw.img,readonly=on </firmware/trampoline-s.in >/tmp/tr-u.out 2>/tmp/tr-u.err
status=$?
echo "$min_addr" >/proc/sys/vm/mmap_min_addr
tr -d '\r' </tmp/tr-u.out >/tmp/tr-u.txt
check "trampoline-s as uid 1000, its programs below vm.mmap_min_addr: output as on QEMU (exit $status)" \
	sh -c "[ $status -eq 0 ] && cmp -s /tmp/tr-u.txt /firmware/trampoline-s.expected"
[ $status -eq 0 ] || show /tmp/tr-u.err
check "... and vmm says once why that runs slowly: '$(head -c 150 /tmp/tr-u.err)'" \
	sh -c "[ \$(grep -c 'below the host.s vm.mmap_min_addr (0x10000)' /tmp/tr-u.err) -eq 1 ]"
check_firmware fastcsr-s "the CSRs a kernel uses all the time, served in the guest process (fast path): values, SIE with an interrupt pending, U-mode, as on QEMU"
# wfi sleeps: a guest parked in wfi (no interrupt enabled) leaves the
# nested host's two CPUs idle rather than spinning one.
vmm run --kernel /firmware/spin-s.elf --name idle --detach >/dev/null 2>&1
sleep 1
busy=$(busy_ticks)
check "a guest waiting in wfi uses no CPU ($busy ticks of 200 in 1 s)" [ "$busy" -lt 50 ]
vmm kill idle >/dev/null 2>&1
# M-mode guests, entered as qemu -bios none enters them.
check_firmware hello-m "M-mode, the UART, the finisher, as under -bios none" --entry-mode m
check_firmware mmode-m "CLINT timer and msip, PMP, delegation, mret into S-mode, Sstc stimecmp, ecalls back" --entry-mode m
printf '[kernel]\npath = /firmware/mmode-m.elf\nentry-mode = m\n' >/tmp/m.conf
vmm run -c /tmp/m.conf </dev/null 2>&1 | tr -d '\r' | grep '^mmode: ' >/tmp/m.txt
check "entry-mode = m from a config file" cmp -s /tmp/m.txt /firmware/mmode-m.expected
check_u_boot s "Debian's U-Boot after vmm's SBI: virtio-blk read, poweroff, as on QEMU" --disk /tmp/fw.img
check_u_boot m "Debian's U-Boot in M-mode on 4 harts: virtio-blk read, poweroff, as on QEMU" --entry-mode m --cpus 4 --disk /tmp/fw.img
check_firmware minikernel-m "Sv39 shadow paging: two U-mode processes, timer preemption, system calls, disk reads woken by the disk's interrupt, U/S and read-only faults" --entry-mode m --disk /tmp/fw.img
done_testing
