# cpu: h=true
# timeout: 900
# bench/nommu inside a nested host with the H extension (make bench): the
# NOMMU Linux guest on the trap backend and under KVM, on the same nested
# host: boot to /init and to the shell prompt (the guest's clock, which
# starts when vmm enters it), one system call (getpid, a one-byte pread of
# a cached file; the lowest of three runs of each), and where the trap
# backend's time goes (vmm's counters at exit, --log-level debug).
# Figures, not a test.
. /tests/lib.sh
. /tests/nommu.sh
plan 2
# three runs of each call, the lowest kept: this rig's noise comes in
# bursts that slow one run several times over
cmds='syscall-bench 4000 /bin/busybox
syscall-bench 4000 /bin/busybox
syscall-bench 4000 /bin/busybox
exit'
lowest() { sed -n "s/.*syscall-bench: $1 \([0-9]*\) ns.*/\1/p" "$2" | sort -n | head -1; }
for b in kvm trap; do
	nommu_boot bench-$b "$cmds" --backend $b --initrd $NOMMU/rootfs.cpio --log-level debug
	init=$(sed -n 's/.*nommu: init after \([0-9.]*\)s.*/\1/p' /tmp/bench-$b.txt)
	prompt=$(sed -n 's/.*nommu: shell ready after \([0-9.]*\)s.*/\1/p' /tmp/bench-$b.txt)
	getpid=$(lowest getpid /tmp/bench-$b.txt)
	pread=$(lowest pread /tmp/bench-$b.txt)
	eval "init_$b=$init prompt_$b=$prompt getpid_$b=$getpid pread_$b=$pread secs_$b=$nommu_secs"
	check "the $b backend ran the benchmark ($nommu_status)" [ -n "$pread" ]
	[ -n "$pread" ] || show /tmp/bench-$b.txt 20
	echo "# bench: $b: boot to /init ${init}s, to the shell prompt ${prompt}s, getpid $getpid ns, pread $pread ns, whole run ${nommu_secs}s"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "?" }'; }
echo "# bench: trap / kvm: boot to /init $(ratio "$init_trap" "$init_kvm")x, to the prompt $(ratio "$prompt_trap" "$prompt_kvm")x, getpid $(ratio "$getpid_trap" "$getpid_kvm")x, pread $(ratio "$pread_trap" "$pread_kvm")x"
result nommu "trap: boot to the prompt (floor: kvm)" "$prompt_trap" "$prompt_kvm" s lower 0.1
result nommu "trap: getpid (floor: kvm)" "$getpid_trap" "$getpid_kvm" ns lower 0.1
result nommu "trap: pread (floor: kvm)" "$pread_trap" "$pread_kvm" ns lower 0.1
trips=$(sed -n 's/.*vCPU 0: \([0-9]*\) round trips to the guest process.*/\1/p' /tmp/bench-trap.err)
echo "# bench: trap backend: $trips round trips to the guest process in ${secs_trap}s ($(ratio "$trips" "$secs_trap") per second)"
grep -E 'round trips|busiest CSRs|SBI calls|run ahead ended' /tmp/bench-trap.err | sed 's/^vmm: \[[^]]*\] /# bench: trap: /'
done_testing
