# bench/blk inside the guest, on the virtio-blk disk.
secs=$(sed -n 's/.*vmm.bench_seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
# vmm.bench_marks: say where each phase begins (bench/blk.sh counts
# exits by phase)
grep -q vmm.bench_marks /proc/cmdline && export BENCH_BLK_MARKS=1
bench-blk /dev/vda "${secs:-5}" 128
