# cpu: h=true
# timeout: 600
# disk: 128M
# cache=none (O_DIRECT) on a real block device, and the legacy interface.
. /tests/lib.sh
plan 7
check "the nested host has a scratch disk" test -b /dev/vda
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus 2 \
	--cmdline "console=ttyS0 quiet vmm.guest=script:blk-basic" --disk /dev/vda,cache=none </dev/null >/tmp/direct.out 2>&1
status=$?
check "guest round trip on a cache=none disk (exit $status)" [ $status -eq 0 ]
[ $status -eq 0 ] || show /tmp/direct.out 30
check "the host device holds what the guest wrote" blkpattern check /dev/vda 11 0 32 direct
dd if=/dev/zero of=/tmp/file.img bs=1M count=8 2>/dev/null
vmm run --kernel /guest/Image --disk /tmp/file.img,cache=none </dev/null >/tmp/tmpfs.out 2>&1
status=$?
check "cache=none on a file system without O_DIRECT: exit 70" [ $status -eq 70 ]
check "... with a clear error" grep -q "^vmm: disk /tmp/file.img: cannot open with O_DIRECT (cache=none)" /tmp/tmpfs.out
[ $status -eq 70 ] || show /tmp/tmpfs.out
dd if=/dev/zero of=/tmp/legacy.img bs=1M count=40 2>/dev/null
vmm run --kernel /guest/Image --initrd /guest/guest.cpio \
	--cmdline "console=ttyS0 quiet vmm.guest=script:blk-basic" --disk /tmp/legacy.img,legacy=on </dev/null >/tmp/legacy.out 2>&1
status=$?
check "Linux drives a legacy (virtio-mmio version 1) disk (exit $status)" [ $status -eq 0 ]
[ $status -eq 0 ] || show /tmp/legacy.out 30
check "the legacy disk holds what the guest wrote" blkpattern check /tmp/legacy.img 11 0 32
done_testing
