# The guest's side of aia-kvm.sh: interrupts from the UART and virtio-blk
# through whichever interrupt controller the device tree gives, then a
# disk round trip (each request completed by an interrupt); the host
# reads the controller's name off the printed /proc/interrupts lines.
blkpattern write /dev/vda 13 0 8 direct || exit 1
blkpattern check /dev/vda 13 0 8 direct || exit 2
grep -E 'ttyS0|virtio' /proc/interrupts | sed 's/^/guest-irq: /'
echo "guest-ok: irqchip"
