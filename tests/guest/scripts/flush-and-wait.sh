# Write 32 MiB, flush them (fsync sends VIRTIO_BLK_T_FLUSH), say so, wait
# to be killed.
blkpattern write /dev/vda 6 0 32 || exit 1
echo "guest-flushed"
sleep 1000
