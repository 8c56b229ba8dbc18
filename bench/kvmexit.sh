# cpu: h=true
# timeout: 600
# bench/kvmexit inside the nested host (make bench): what one MMIO exit
# costs a guest under vmm, against the barest KVM_RUN loop there is
# (bench/kvmexit.c: answer every MMIO read with a constant), the same
# guest binary (firmware/exitbench: 40000 reads of the UART's line status,
# timed by the guest) both times, alternated five times: the best and the
# median of each (runs here move by 20% either way). vmm runs without its
# device pages (VMM_DEVICE_PAGES=0): with them the UART's line status is
# a read of memory while no interrupt is enabled, and no exit at all.
. /tests/lib.sh
plan 3
: >/tmp/bare.txt
: >/tmp/vmm.txt
for round in 1 2 3 4 5; do
	bench-kvmexit /firmware/exitbench-s.bin >>/tmp/bare.txt 2>&1
	VMM_DEVICE_PAGES=0 vmm run --kernel /firmware/exitbench-s.elf </dev/null 2>&1 | tr -d '\r' >>/tmp/vmm.txt
done
figures() { awk '$1 == "exitbench:" && $2 == "mmio-read" { print $3 }' "$1" | sort -n; }
best() { figures "$1" | head -n 1; }
median() { figures "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
bare=$(best /tmp/bare.txt)
under_vmm=$(best /tmp/vmm.txt)
check "the bare loop ran (5 rounds: $(figures /tmp/bare.txt | tr '\n' ' ')ns)" [ -n "$bare" ]
check "vmm ran it (5 rounds: $(figures /tmp/vmm.txt | tr '\n' ' ')ns)" [ -n "$under_vmm" ]
check "each read under vmm was an exit (its best at least half the bare loop's)" \
	awk -v a="${under_vmm:-0}" -v b="${bare:-0}" 'BEGIN { exit !(b > 0 && 2 * a >= b) }'
[ -n "$bare" ] || show /tmp/bare.txt
[ -n "$under_vmm" ] || show /tmp/vmm.txt
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
echo "# bench: kvm exit: an MMIO read exit, best of 5: under vmm $under_vmm ns, bare KVM_RUN loop $bare ns, $(ratio "$under_vmm" "$bare")x; median: $(median /tmp/vmm.txt) ns and $(median /tmp/bare.txt) ns, $(ratio "$(median /tmp/vmm.txt)" "$(median /tmp/bare.txt)")x"
result kvmexit "an MMIO exit (median)" "$(median /tmp/vmm.txt)" "$(median /tmp/bare.txt)" ns lower 0.91
done_testing
