# cpu: h=true
# timeout: 1200
# disk: 256M
# bench/blk inside the nested host (make bench): the same program on the
# nested host's own disk (/dev/vda: the physical limit here) and inside a
# guest whose virtio-blk disk vmm backs with it (cache=none): as vmm runs
# by default (requests in flight on io_uring, queue notifies by
# KVM_IOEVENTFD), with notifies by MMIO exit (VMM_IOEVENTFD=0), and with
# one request at a time per queue (VMM_BLK_URING=0). Figures.
. /tests/lib.sh
plan 4
secs=${BENCH_SECONDS:-5}
bench-blk /dev/vda $secs 128 >/tmp/host.txt
check "bench-blk ran on the nested host" grep -q randread4k-qd32 /tmp/host.txt
# The guest's bench-blk on /dev/vda into OUTPUT. A second try when the
# first did not finish: the guest's bench-blk died of SIGSEGV in 1 run of
# 4 to 3 of 4, in Linux 6.1's riscv vDSO (README, Known problems), which
# says nothing about the disk. It reads the clock by system call now, and
# no run since (22) has died.
guest() { # OUTPUT
	for try in 1 2; do
		vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 \
			--cmdline "console=ttyS0 quiet vmm.guest=script:bench-blk vmm.bench_seconds=$secs" \
			--disk /dev/vda,cache=none </dev/null 2>&1 | tr -d '\r' >"$1"
		grep -q randread4k-qd32 "$1" && return
		echo "# bench-blk: try $try did not finish: $(grep -a -i 'fault' "$1" | head -n 1)"
	done
}
guest /tmp/guest.txt
check "bench-blk ran in the guest" grep -q randread4k-qd32 /tmp/guest.txt
grep -q randread4k-qd32 /tmp/guest.txt || show /tmp/guest.txt 20
VMM_IOEVENTFD=0 guest /tmp/mmio.txt
check "... and with notifies by MMIO exit" grep -q randread4k-qd32 /tmp/mmio.txt
grep -q randread4k-qd32 /tmp/mmio.txt || show /tmp/mmio.txt 30
VMM_BLK_URING=0 guest /tmp/sync.txt
check "... and with one request at a time" grep -q randread4k-qd32 /tmp/sync.txt
grep -q randread4k-qd32 /tmp/sync.txt || show /tmp/sync.txt 30
ratio() { awk -v h="$1" -v g="$2" 'BEGIN { if (h > 0) printf "%.0f%%", 100 * g / h; else print "n/a" }'; }
for t in seqread seqwrite randread4k-qd1 randread4k-qd32; do
	h=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/host.txt)
	g=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/guest.txt)
	m=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/mmio.txt)
	o=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/sync.txt)
	u=$(awk -v t="$t" '$2 == t { print $4 }' /tmp/host.txt)
	echo "# bench: blk $t: nested host $h $u, guest through vmm $g $u ($(ratio "$h" "$g")), with notifies by MMIO exit $m $u ($(ratio "$h" "$m")), one request at a time $o $u ($(ratio "$h" "$o"))"
	target=-
	[ $t = seqread ] && target=0.5
	[ $t = randread4k-qd32 ] && target=0.3
	result blk "$t" "$g" "$h" "$u" higher $target
	result blk "$t, notify by exit" "$m" "$h" "$u" higher
	result blk "$t, one request at a time" "$o" "$h" "$u" higher
done
done_testing
