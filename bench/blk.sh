# cpu: h=true
# timeout: 1200
# disk: 256M
# bench/blk inside the nested host (make bench): the same program on the
# nested host's own disk (/dev/vda: the physical limit here) and inside a
# guest whose virtio-blk disk vmm backs with it (cache=none). On the 6.1
# host: as vmm runs by default (requests in flight on io_uring, queue
# notifies by KVM_IOEVENTFD), with notifies by MMIO exit
# (VMM_IOEVENTFD=0), and with one request at a time per queue
# (VMM_BLK_URING=0). On the 6.12 host (bench/blk-612.sh sets
# BLK_HOST=6.12): a 6.12 guest with KVM's in-kernel AIA (the default
# there) and with vmm's PLIC (--irqchip plic). The first of these (the
# one with a target) alternates with the nested host's own run
# BENCH_ROUNDS times (default 3), and each phase's figure is the median
# of its rounds on either side: this rig's speed drifts by half within a
# run. Figures.
. /tests/lib.sh
secs=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
if [ "${BLK_HOST:-6.1}" = 6.12 ]; then
	plan 3
	kernel=/guest/Image-6.12
	bench=blk-6.12
else
	plan 4
	kernel=/guest/Image
	bench=blk
fi
# The guest's bench-blk on /dev/vda into OUTPUT, vmm given ARGS. A second
# try when the first did not finish: the guest's bench-blk died of SIGSEGV
# in 1 run of 4 to 3 of 4, in Linux 6.1's riscv vDSO (README, Known
# problems), which says nothing about the disk. It reads the clock by
# system call now, and the test kernel has the fault fixed; no run since
# has died.
# With MARKS=1 the guest marks where each phase begins, and what each
# phase cost in exits is said, request by request (phases).
guest() { # OUTPUT [ARGS...]
	gout=$1
	shift
	for try in 1 2; do
		vmm run --log-level info --name bb --kernel $kernel --initrd /guest/guest.cpio --cpus 2 "$@" \
			--cmdline "console=ttyS0 quiet vmm.guest=script:bench-blk vmm.bench_seconds=$secs${MARKS:+ vmm.bench_marks}" \
			--disk /dev/vda,cache=none </dev/null 2>&1 | phases >"$gout"
		[ -z "${MARKS:-}" ] || cat /tmp/phases.txt
		grep -q randread4k-qd32 "$gout" && return
		echo "# bench-blk: try $try did not finish: $(grep -a -i 'fault' "$gout" | head -n 1)"
	done
}
# counts: exits, MMIO exits to vmm, to the kernel, wfi, the disk's
# interrupts, reads and writes so far
counts() { stats_sum bb exits mmio_exit_user mmio_exit_kernel wfi_exit_stat interrupts reads writes; }
# phases: the guest's output through, without its CRs; with MARKS=1,
# vmm stats read as each phase begins and as its figure comes (the guest
# pauses a moment either side), what it cost into /tmp/phases.txt. Read
# line by line as it comes: no polling to take the nested host's CPUs.
phases() {
	cr=$(printf '\r')
	: >/tmp/phases.txt
	while IFS= read -r line; do
		line=${line%"$cr"}
		printf '%s\n' "$line"
		[ -n "${MARKS:-}" ] || continue
		case $line in
		"bench-blk: begin "*)
			a=$(counts)
			;;
		"bench-blk: "*" MiB/s" | "bench-blk: "*" IOPS")
			b=$(counts)
			t=${line#bench-blk: }
			echo "# bench: $bench ${t%% *}, exits per request: $(echo "$a $b" | awk '{ r = $13 + $14 - $6 - $7; if (r > 0) printf "%.1f (%.1f MMIO to vmm, %.1f MMIO to the kernel: notifies, %.1f wfi), %.2f interrupts, %d requests", ($8 - $1) / r, ($9 - $2) / r, ($10 - $3) / r, ($11 - $4) / r, ($12 - $5) / r, r }')" >>/tmp/phases.txt
			;;
		esac
	done
}
names=
# median OUTPUT FILE...: each phase's median figure of the FILEs (lines
# "bench-blk: PHASE VALUE UNIT"), in that form, into OUTPUT
median() {
	mout=$1
	shift
	cat "$@" | awk '$1 == "bench-blk:" && NF == 4 && $3 + 0 > 0 { print $2, $3, $4 }' | sort -k1,1 -k2,2n |
		awk '{ v[$1, ++n[$1]] = $2; u[$1] = $3 }
			END { for (t in n) print "bench-blk:", t, v[t, int((n[t] + 1) / 2)], u[t] }' >"$mout"
}
# said FILE: its figures on one line
said() { awk '$1 == "bench-blk:" && NF == 4 { printf " %s %s", $2, $3 }' "$1"; }
# alternate OUTPUT [ARGS...]: guest's figures alternated with the nested
# host's own run, rounds times; the medians into /tmp/host.txt and
# OUTPUT, each round's figures said
alternate() {
	rout=$1
	shift
	r=1
	while [ $r -le $rounds ]; do
		bench-blk /dev/vda $secs 128 >/tmp/host.$r.txt
		guest $rout.$r "$@"
		echo "# bench: $bench round $r: nested host$(said /tmp/host.$r.txt); guest$(said $rout.$r)"
		MARKS=
		r=$((r + 1))
	done
	median /tmp/host.txt /tmp/host.[0-9]*.txt
	median "$rout" $rout.[0-9]*
	check "bench-blk ran on the nested host ($rounds rounds)" grep -q randread4k-qd32 /tmp/host.txt
}
# variant OUTPUT NAME SETTING [ARGS...]: the guest's figures with SETTING
# (VAR=VALUE) in vmm's environment and ARGS on its command line; NAME
# tells them apart in the report ("" for vmm's defaults). MARKS=1: with
# the exits of each phase. ALTERNATE=1: alternated with the nested host's
# own run (alternate).
variant() {
	out=$1 name=$2 setting=$3
	shift 3
	export "$setting"
	if [ -n "${ALTERNATE:-}" ]; then
		alternate "$out" "$@"
	else
		guest "$out" "$@"
	fi
	unset "${setting%%=*}"
	check "bench-blk ran in the guest${name:+, $name}" grep -q randread4k-qd32 "$out"
	# the whole output: the first round's, when there were rounds
	raw=$out${ALTERNATE:+.1}
	grep -q randread4k-qd32 "$out" || show "$raw" 30
	names="$names$out=$name;"
}
if [ $bench = blk-6.12 ]; then
	MARKS=1 ALTERNATE=1
	variant /tmp/aia.txt "in-kernel AIA" BLK_VARIANT=aia
	MARKS= ALTERNATE=
	grep -q 'in-kernel AIA irqchip' /tmp/aia.txt.1 ||
		echo "# bench-blk: the 6.12 guest did not get the in-kernel AIA: $(grep -a 'interrupts:' /tmp/aia.txt.1)"
	variant /tmp/plic.txt "vmm's PLIC" BLK_VARIANT=plic --irqchip plic
else
	MARKS=1 ALTERNATE=1
	variant /tmp/guest.txt "" BLK_VARIANT=default
	MARKS= ALTERNATE=
	variant /tmp/mmio.txt "notify by exit" VMM_IOEVENTFD=0
	variant /tmp/sync.txt "one request at a time" VMM_BLK_URING=0
fi
ratio() { awk -v h="$1" -v g="$2" 'BEGIN { if (h > 0) printf "%.0f%%", 100 * g / h; else print "n/a" }'; }
for t in seqread seqwrite randread4k-qd1 randread4k-qd32; do
	h=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/host.txt)
	u=$(awk -v t="$t" '$2 == t { print $4 }' /tmp/host.txt)
	target=-
	[ $bench = blk ] && [ $t = seqread ] && target=0.5
	[ $bench = blk ] && [ $t = randread4k-qd32 ] && target=0.3
	line="# bench: $bench $t: nested host $h $u"
	rest=$names
	while [ -n "$rest" ]; do
		entry=${rest%%;*}
		rest=${rest#*;}
		out=${entry%%=*} name=${entry#*=}
		g=$(awk -v t="$t" '$2 == t { print $3 }' "$out")
		line="$line, ${name:-guest through vmm} $g $u ($(ratio "$h" "$g"))"
		result $bench "$t${name:+, $name}" "$g" "$h" "$u" higher $target
		target=-
	done
	echo "$line"
done
done_testing
