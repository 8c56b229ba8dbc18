# cpu: h=false
# timeout: 300
# Hostile guests on the trap backend: the guest runs natively in a process
# of its own, so the monitor's addresses hold nothing for it, a jump out of
# RAM is an access fault, no ecall becomes a host system call, and a guest
# that never traps again still stops when asked.
. /tests/lib.sh
plan 21
cat >/tmp/hostile.expected <<'END'
hostile: stores to 1024 pages at 0x40000000: 1024 access faults
hostile: loads from 1024 pages at 0x40000000: 1024 access faults
hostile: 8 stores and loads far above RAM: 8 access faults
hostile: jump to 0x3ffffff000: instruction access fault
hostile: jump to 0x7ffffffff000: instruction access fault
hostile: jump to 0x1000000000000: instruction access fault
hostile: jump to 0xfffffffffffff000: instruction access fault
hostile: jump to 0x40000000: instruction access fault
hostile: 451 of 451 ecalls with Linux system call numbers answered NOT_SUPPORTED
hostile: still here
END
vmm run --kernel /firmware/hostile-s.elf </dev/null >/tmp/hostile.out 2>/tmp/hostile.err
status=$?
tr -d '\r' </tmp/hostile.out | grep '^hostile: ' >/tmp/hostile.txt
check "the guest ends normally (exit $status)" [ $status -eq 0 ]
check "every probe of the monitor's addresses faults into the guest; every ecall is SBI's" cmp -s /tmp/hostile.txt /tmp/hostile.expected
[ $status -eq 0 ] && cmp -s /tmp/hostile.txt /tmp/hostile.expected || { show /tmp/hostile.txt; show /tmp/hostile.err; }
check "the stray accesses were logged, and the log stays bounded" sh -c "[ \$(grep -c 'no device there' /tmp/hostile.err) -le 20 ]"

# A guest that jumps to the handler page's mmap call with its own
# arguments: vmm refuses it (seccomp user notification), and the handler
# page ends the guest process. The address and fd come from vmm's log.
vmm run --kernel /firmware/hello-s.elf --log-level debug </dev/null >/dev/null 2>/tmp/dbg.err
call=$(sed -n 's/.*its mmap call at \(0x[0-9a-f]*\), guest RAM fd \([0-9]*\).*/\1 \2/p' /tmp/dbg.err | head -n 1)
dd if=/dev/zero of=/tmp/attack.img bs=1M count=1 2>/dev/null
printf '%s \n' "$call" | dd of=/tmp/attack.img conv=notrunc 2>/dev/null
vmm run --kernel /firmware/mapattack-s.elf --disk /tmp/attack.img </dev/null >/tmp/attack.out 2>&1
status=$?
check "a jump to the handler's mmap ($call): the VM ends as a crash ($status)" [ $status -eq 66 ]
check "... vmm refused the mapping" grep -q 'asked for a mapping vmm did not queue (0x70000000, 4096 bytes): refused' /tmp/attack.out
check "... and the guest process ended itself (126)" grep -q 'the guest process exited with status 126' /tmp/attack.out
[ $status -eq 66 ] || show /tmp/attack.out

# A guest kernel with paging on whose U-mode program attacks vmm from
# inside its process (firmware/isolation.c): it writes the region vmm
# shares with the process and jumps into the handler page, at the
# addresses vmm's debug log gives. Each attack must stay within the guest.
calls=$(sed -n 's/.*its park at \(0x[0-9a-f]*\), its rt_sigreturn at \(0x[0-9a-f]*\).*/\1 0x3fff0000 \2/p' /tmp/dbg.err | head -n 1)
isolation() { # ATTACK [VMM ARGS]: its console in /tmp/iso$1.out
	printf '%s %s \n' "$1" "$calls" | dd of=/tmp/iso.img bs=512 count=2048 conv=sync 2>/dev/null
	a=$1
	shift
	timeout 120 vmm run --kernel /firmware/isolation-s.elf --disk /tmp/iso.img "$@" </dev/null >/tmp/iso$a.out 2>&1
}
isolation 1
status=$?
check "a report forged in U-mode is taken for what it claims, a U-mode ecall: the program stays in U-mode (exit $status)" \
	sh -c "[ $status -eq 0 ] && grep -q 'forge: the kernel took the forged report for what it claims' /tmp/iso1.out && grep -q 'forge: the program.s SBI call reached its kernel' /tmp/iso1.out"
[ $status -eq 0 ] || show /tmp/iso1.out
isolation 2
status=$?
check "a mapping queue forged in U-mode maps nothing: the program's load faults into its kernel (exit $status)" \
	sh -c "[ $status -eq 0 ] && grep -q 'ops: the program.s load at 0x70000000 faulted into its kernel' /tmp/iso2.out"
[ $status -eq 0 ] || show /tmp/iso2.out
isolation 3
status=$?
check "a U-mode program that blocks vmm's kick (the handler's rt_sigreturn, a mask of its own) ends the VM when its timer is due (exit $status)" \
	sh -c "[ $status -eq 66 ] && grep -q 'blocks vmm.s kick signal' /tmp/iso3.out"
[ $status -eq 66 ] || show /tmp/iso3.out
isolation 5
status=$?
check "a U-mode program that turns the fast path on in its region and writes stvec and sscratch changes nothing of its kernel's (exit $status)" \
	sh -c "[ $status -eq 0 ] && grep -q 'fast: the program.s CSR writes left its kernel.s alone' /tmp/iso5.out"
[ $status -eq 0 ] || show /tmp/iso5.out
printf '4 %s \n' "$calls" | dd of=/tmp/iso.img bs=512 count=2048 conv=sync 2>/dev/null
vmm run --kernel /firmware/isolation-s.elf --disk /tmp/iso.img --name masked --detach >/dev/null 2>&1
sleep 1
vmm wait masked >/dev/null 2>&1 &
waiter=$!
start=$(cut -d' ' -f1 /proc/uptime | tr -d .)
vmm kill masked
wait $waiter
status=$?
ms=$(( ($(cut -d' ' -f1 /proc/uptime | tr -d .) - start) * 10 ))
check "... and without a timer, vmm kill still ends it within a second (exit $status, $ms ms)" sh -c "[ $status -eq 67 ] && [ $ms -le 1000 ]"
sleep 0.5
check "... and no guest process is left" sh -c '! cat /proc/[0-9]*/stat 2>/dev/null | grep -q "(vmm) [^Z]"'

# A guest that scribbles over what its process shares with vmm (mailbox,
# signal stack), then spins without a trap: vmm must not spin
# on the garbage, and the guest must run on. The region is mmapped at run
# time: the guest reads its disk until this script has copied the
# region's bounds there from the VM's own debug log.
printf '0 0 \n' | dd of=/tmp/scribble.img bs=512 count=2048 conv=sync 2>/dev/null
vmm run --kernel /firmware/scribble-s.elf --disk /tmp/scribble.img --log-level debug </dev/null >/tmp/scribble.out 2>/tmp/scribble.err &
vm=$!
region=
for i in $(seq 100); do
	region=$(sed -n 's/.*, region \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\), .*/\1 \2/p' /tmp/scribble.err | head -n 1)
	[ -n "$region" ] && break
	sleep 0.1
done
printf '%s \n' "$region" | dd of=/tmp/scribble.img conv=notrunc 2>/dev/null
sleep 1
busy=$(busy_ticks)
wait $vm
status=$?
check "a guest scribbling over the region ($region) runs on (exit $status)" sh -c "[ $status -eq 0 ] && grep -q 'scribble: over $(echo $region | tr ' ' -)' /tmp/scribble.out && grep -q 'scribble: still here' /tmp/scribble.out"
check "... and vmm does not spin on the garbage ($busy ticks of 200 in 1 s; the guest's own loop is 100)" [ "$busy" -lt 150 ]
[ $status -eq 0 ] || { show /tmp/scribble.out; show /tmp/scribble.err; }

# Interrupts off and a loop: no trap ever reaches the monitor again.
vmm run --kernel /firmware/hang-s.elf --name hang --detach >/dev/null 2>&1
sleep 1
check "the hanging guest runs (trap backend)" sh -c 'vmm status hang | grep -q "backend=trap"'
# vmm pause gets even this guest out of the CPU, and resume lets it go on.
vmm pause hang >/tmp/p.out 2>&1
status=$?
check "vmm pause of a guest that never traps ($status)" sh -c "[ $status -eq 0 ] && vmm status hang | grep -q state=paused"
[ $status -eq 0 ] || show /tmp/p.out
busy=$(busy_ticks)
check "... while paused its process uses no CPU ($busy ticks in 1 s)" [ "$busy" -lt 50 ]
vmm resume hang
check "vmm resume: running again" sh -c 'vmm status hang | grep -q state=running'
start=$(date +%s)
vmm stop hang --timeout 2
status=$?
check "vmm stop still ends it: killed after the timeout (exit $status)" [ $status -eq 67 ]
check "... within seconds ($(($(date +%s) - start)) s)" [ $(($(date +%s) - start)) -le 5 ]
sleep 0.5
# (an orphaned guest process would be a zombie of our /init: state Z)
check "... and no guest process is left" sh -c '! cat /proc/[0-9]*/stat 2>/dev/null | grep -q "(vmm) [^Z]"'
done_testing
