# vmm's virtio-rng as the Linux driver sees it: the kernel's hw_random
# source, and reads of /dev/hwrng that give fresh, full buffers.
cur=$(cat /sys/class/misc/hw_random/rng_current)
echo "guest-rng-current: $cur"
[ "$cur" = virtio_rng.0 ] || exit 1
dd if=/dev/hwrng of=/tmp/a bs=512 count=8 2>/dev/null
dd if=/dev/hwrng of=/tmp/b bs=512 count=8 2>/dev/null
[ "$(wc -c </tmp/a)" -eq 4096 ] || exit 2
cmp -s /tmp/a /tmp/b && exit 3
# random bytes: not mostly zeros (4096 of them hold about 16 zeros)
[ "$(tr -d '\000' </tmp/a | wc -c)" -gt 4000 ] || exit 4
echo "guest-ok: rng"
