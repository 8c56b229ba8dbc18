# cpu: h=true
# timeout: 900
# disk: 256M
# bench/blk inside the nested host (make bench): the same program on the
# nested host's own disk (/dev/vda: the physical limit here) and inside a
# guest whose virtio-blk disk vmm backs with it (cache=none). Figures.
. /tests/lib.sh
plan 2
secs=${BENCH_SECONDS:-5}
bench-blk /dev/vda $secs 128 >/tmp/host.txt
check "bench-blk ran on the nested host" grep -q randread4k-qd32 /tmp/host.txt
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 \
	--cmdline "console=ttyS0 quiet vmm.guest=script:bench-blk vmm.bench_seconds=$secs" \
	--disk /dev/vda,cache=none </dev/null 2>&1 | tr -d '\r' >/tmp/guest.txt
check "bench-blk ran in the guest" grep -q randread4k-qd32 /tmp/guest.txt
grep -q randread4k-qd32 /tmp/guest.txt || show /tmp/guest.txt 20
for t in seqread seqwrite randread4k-qd1 randread4k-qd32; do
	h=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/host.txt)
	g=$(awk -v t="$t" '$2 == t { print $3 }' /tmp/guest.txt)
	u=$(awk -v t="$t" '$2 == t { print $4 }' /tmp/host.txt)
	echo "# bench: blk $t: nested host $h $u, guest through vmm $g $u, ratio $(awk -v h="$h" -v g="$g" 'BEGIN { if (h > 0) printf "%.0f%%", 100 * g / h; else print "n/a" }')"
done
done_testing
