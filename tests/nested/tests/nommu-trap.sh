# cpu: h=false
# timeout: 1200
# The trap backend's Linux: a NOMMU Linux 6.12 kernel with busybox (hush,
# against musl) on a host without the H extension, so --backend auto
# picks trap. Booted from its initramfs, then from an ext2 root on
# virtio-blk with 2 harts, then detached and driven by vmm pause, resume
# and stop.
. /tests/lib.sh
. /tests/nommu.sh
plan 22
nommu_boot initrd "$NOMMU_CMDS" --initrd $NOMMU/rootfs.cpio
nommu_check_shell initrd "initramfs, 1 hart" 1
check "the initramfs boot reached its shell prompt" grep -q 'nommu: shell ready' /tmp/initrd.txt

# Root on ext2 over virtio-blk, 2 harts: write a file, keep both harts busy.
cp $NOMMU/root.ext2 /tmp/root.ext2
work='for c in 0 1; do taskset -c $c sh -c "i=0; while [ \$i -lt 400 ]; do i=\$((i + 1)); done" & done; wait
awk "/^cpu[01] / && \$2 + \$4 > 0 { print \"busy-\" \$1 }" /proc/stat
echo persisted-$((6 * 7)) >/written.txt; sync
awk "/virtio/ && \$2 > 0 { print \"disk\" \"-irqs\" }" /proc/interrupts'
nommu_boot ext2 "$NOMMU_CMDS
$work" --cpus 2 --disk /tmp/root.ext2 --cmdline "console=ttyS0 root=/dev/vda rw init=/init"
nommu_check_shell ext2 "ext2 root, 2 harts" 2
check "both harts ran work" sh -c 'grep -q busy-cpu0 /tmp/ext2.txt && grep -q busy-cpu1 /tmp/ext2.txt'
check "the disk takes virtio-blk interrupts" grep -q disk-irqs /tmp/ext2.txt
check "the file the guest wrote is on the image" grep -q persisted-42 /tmp/root.ext2
nommu_boot again 'cat /written.txt | sed s/^/read-back:/' --disk /tmp/root.ext2 --cmdline "console=ttyS0 root=/dev/vda rw init=/init"
check "a second boot reads it back" grep -q 'read-back:persisted-42' /tmp/again.txt

# Detached: pause and resume, then a graceful stop (SysRq o powers it off).
vmm run --kernel $NOMMU/Image --initrd $NOMMU/rootfs.cpio --name nm --detach \
	--console file:/tmp/nm.console </dev/null >/tmp/nm.start 2>&1
i=0
until grep -q 'shell ready' /tmp/nm.console 2>/dev/null || [ $i -ge 600 ]; do sleep 0.5; i=$((i + 1)); done
check "detached, it reaches its shell" grep -q 'shell ready' /tmp/nm.console
vmm pause nm && vmm status nm | grep -q state=paused
check "vmm pause holds it" [ $? -eq 0 ]
vmm resume nm && vmm status nm | grep -q state=running
check "vmm resume lets it go on" [ $? -eq 0 ]
vmm stop nm --timeout 120 >/tmp/nm.stop 2>&1
st=$?
check "vmm stop ends it gracefully: exit 0 ($st)" [ $st -eq 0 ]
check "... through the guest's power-off path" grep -q 'reboot: Power down' /tmp/nm.console
[ $st -eq 0 ] || { show /tmp/nm.stop; show /tmp/nm.console; }
done_testing
