# Inside the Linux guest: virtio-blk through the block layer.
# /dev/vda: a scratch disk of at least 80 MiB; /dev/vdb: read-only.
fails=0
ok() { echo "guest-ok: $*"; }
no() { echo "guest-fail: $*"; fails=$((fails + 1)); }
t() { d=$1; shift; if "$@"; then ok "$d"; else no "$d"; fi; }
t "/dev/vda present" test -b /dev/vda
t "/dev/vdb present" test -b /dev/vdb
t "/dev/vdb is read-only" [ "$(cat /sys/block/vdb/ro)" = 1 ]
t "vda serial is the image name (GET_ID)" grep -q '^disk.img' /sys/block/vda/serial
t "one queue per vCPU ($(ls /sys/block/vda/mq | wc -l))" [ "$(ls /sys/block/vda/mq | wc -l)" -eq "$(grep -c ^processor /proc/cpuinfo)" ]
# Eight writers at once, then eight readers, each on its own 8 MiB: the
# disk has their requests in flight together and completes them in
# whatever order (vmm on io_uring), and each lands where it was meant to.
at_once() { # write|check
	pids=
	for k in 0 1 2 3 4 5 6 7; do
		blkpattern "$1" /dev/vda $((20 + k)) $((k * 8)) 8 direct &
		pids="$pids $!"
	done
	r=0
	for p in $pids; do wait "$p" || r=1; done
	return $r
}
t "8 writers at once, 8 MiB each with O_DIRECT" at_once write
t "... read back by 8 readers at once and checked" at_once check
t "64 MiB written with O_DIRECT" blkpattern write /dev/vda 1 0 64 direct
t "64 MiB read back with O_DIRECT and checked" blkpattern check /dev/vda 1 0 64 direct
t "64 MiB written buffered" blkpattern write /dev/vda 2 0 64
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || blockdev --flushbufs /dev/vda
t "64 MiB read back buffered and checked" blkpattern check /dev/vda 2 0 64
t "8 MiB written past the first 64" blkpattern write /dev/vda 3 64 8 direct
t "blkdiscard of those 8 MiB" blkpattern discard /dev/vda 64 8
t "discarded range reads as zeroes" blkpattern zeroes /dev/vda 64 8
t "8 MiB written again" blkpattern write /dev/vda 3 64 8 direct
t "write-zeroes (BLKZEROOUT) of them" blkpattern zeroout /dev/vda 64 8
t "zeroed range reads as zeroes" blkpattern zeroes /dev/vda 64 8
t "the first 64 MiB are untouched" blkpattern check /dev/vda 2 0 64 direct
t "writing the read-only disk fails in the guest" blkpattern readonly /dev/vdb
t "the read-only disk reads back its content" blkpattern check /dev/vdb 9 0 4
# Leave a known final state for the host to check after poweroff.
t "final pattern written and flushed" blkpattern write /dev/vda 5 0 72 direct
exit $fails
