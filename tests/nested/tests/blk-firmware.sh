# cpu: h=true
# timeout: 300
# firmware/virtio drives virtio-blk through raw virtqueue operations,
# hostile chains included: the device reports errors, the monitor survives.
. /tests/lib.sh
plan 16
dd if=/dev/zero of=/tmp/fw.img bs=1M count=1 2>/dev/null
printf 'VMMDISK!' | dd of=/tmp/fw.img conv=notrunc 2>/dev/null
vmm run --kernel /firmware/virtio-s.elf --disk /tmp/fw.img </dev/null >/tmp/fw.out 2>/tmp/fw.err
status=$?
tr -d '\r' </tmp/fw.out >/tmp/fw.txt
check "firmware finished with every outcome as expected (exit $status)" [ $status -eq 0 ]
for case in "read sector 0" "write sector 1" "read sector 1 back" \
	"zero-length data buffer: completes" "sector past the end: that request fails alone" \
	"chain without a status byte: completed with nothing written" "the device still works"; do
	check "$case" grep -q "^virtio: $case: as expected" /tmp/fw.txt
done
for case in "buffer outside guest RAM" "buffer running off the end of RAM" "descriptor loop" \
	"readable buffer after a writable one" "1000-element chain"; do
	check "$case: device needs reset" grep -q "^virtio: $case: device needs reset" /tmp/fw.txt
done
check "after each attack a reset brings the device back" [ "$(grep -c '^virtio: after a reset a good read works again: as expected' /tmp/fw.txt)" -eq 5 ]
check "the monitor logged the device errors" grep -q 'virtio-blk: device needs reset: loop in descriptor chain' /tmp/fw.err
check "... and the dropped request" grep -q 'request dropped: no header or no status byte' /tmp/fw.err
[ $status -eq 0 ] && grep -q 'loop in descriptor chain' /tmp/fw.err || { show /tmp/fw.txt 30; show /tmp/fw.err; }
done_testing
