# cpu: h=true,x-ssaia=true,x-smaia=true
# machine: aia=aplic
# timeout: 1200
# disk: 256M
# bench/blk on the Linux 6.12 nested host (make bench), which QEMU gives
# Ssaia and an APLIC: a 6.12 guest with KVM's in-kernel AIA (its IMSICs
# emulated by KVM), where the guest claims and completes an interrupt with
# no exit to vmm, against the same guest with vmm's PLIC. bench/blk.sh
# does the work. Not aia=aplic-imsic: with QEMU 7.2's IMSICs the nested
# host's own disk ran at 9 reads a second (its interrupts late or lost),
# which leaves nothing to measure against.
BLK_HOST=6.12
. /tests/bench-blk.sh
