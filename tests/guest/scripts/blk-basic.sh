# A short round trip on /dev/vda: 32 MiB with O_DIRECT, read back, flushed.
blkpattern write /dev/vda 11 0 32 direct || exit 1
blkpattern check /dev/vda 11 0 32 direct || exit 2
blkpattern check /dev/vda 11 0 32 || exit 3
echo "guest-ok: blk-basic"
