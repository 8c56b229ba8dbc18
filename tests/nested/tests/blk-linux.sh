# cpu: h=true
# timeout: 900
# virtio-blk under a real Linux driver: data in, data out, nothing lost.
. /tests/lib.sh
plan 12
cd /tmp
dd if=/dev/zero of=/tmp/disk.img bs=1M count=80 2>/dev/null
dd if=/dev/zero of=/tmp/ro.img bs=1M count=4 2>/dev/null
blkpattern write /tmp/ro.img 9 0 4
chmod 0644 /tmp/ro.img
guest() { # args... : run the Linux guest's blk.sh against the disks
	vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 \
		--cmdline "console=ttyS0 quiet vmm.guest=script:$1" "$@" </dev/null >/tmp/guest.out 2>&1
}
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 \
	--cmdline "console=ttyS0 quiet vmm.guest=script:blk" \
	--disk /tmp/disk.img --disk /tmp/ro.img,readonly=on </dev/null >/tmp/blk.out 2>&1
status=$?
tr -d '\r' </tmp/blk.out >/tmp/blk.txt
check "guest's block tests pass, vmm exits 0 (status $status)" [ $status -eq 0 ]
check "every guest check passed" sh -c '! grep -q "^guest-fail" /tmp/blk.txt && [ "$(grep -c "^guest-ok" /tmp/blk.txt)" -eq 21 ]'
[ $status -eq 0 ] || show /tmp/blk.txt 40
check "after a clean poweroff the whole image holds what the guest wrote" blkpattern check /tmp/disk.img 5 0 72
check "the read-only image is unchanged" blkpattern check /tmp/ro.img 9 0 4
# A second VM may not open an image the first one has open for writing.
vmm run --kernel /guest/Image --initrd /guest/guest.cpio \
	--cmdline "console=ttyS0 quiet" --disk /tmp/disk.img </dev/console >/tmp/first.out 2>&1 &
first=$!
i=0
while ! grep -q 'vmm demo guest' /tmp/first.out && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
vmm run --kernel /guest/Image --disk /tmp/disk.img </dev/null >/tmp/second.out 2>&1
status=$?
check "a second VM on the same writable image: exit 70" [ $status -eq 70 ]
check "... with a clear error" grep -q '^vmm: disk /tmp/disk.img: in use by another VM (the image is locked)$' /tmp/second.out
kill -KILL $first; wait $first 2>/dev/null
# Nothing lost: the guest flushes, then vmm is killed at once.
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 \
	--cmdline "console=ttyS0 quiet vmm.guest=script:flush-and-wait" --disk /tmp/disk.img </dev/null >/tmp/kill.out 2>&1 &
pid=$!
i=0
while ! grep -q '^guest-flushed' /tmp/kill.out && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
check "guest wrote and flushed 32 MiB" grep -q '^guest-flushed' /tmp/kill.out
kill -KILL $pid; wait $pid 2>/dev/null
check "after SIGKILL every flushed block is in the image" blkpattern check /tmp/disk.img 6 0 32
# Bad disk options: one line, exit 64 or 70.
vmm run --kernel /guest/Image --disk /tmp/disk.img,cache=sometimes </dev/null >/tmp/bad.out 2>&1
check "--disk with a bad cache= value: exit 64" [ $? -eq 64 ]
check "... saying what is wrong" grep -q "^vmm: --disk /tmp/disk.img,cache=sometimes: cache=sometimes: must be writeback or none" /tmp/bad.out
vmm run --kernel /guest/Image --disk /nonexistent.img </dev/null >/tmp/bad.out 2>&1
check "--disk with a missing file: exit 70" [ $? -eq 70 ]
check "... 'vmm: disk /nonexistent.img: No such file or directory'" grep -q "^vmm: disk /nonexistent.img: No such file or directory$" /tmp/bad.out
done_testing
