# cpu: h=false
# timeout: 900
# The trap backend's Linux: a NOMMU Linux 6.12 kernel with busybox (hush,
# against musl) on a host without the H extension, so --backend auto
# picks trap. Booted from its initramfs with 2 harts, then from an ext2
# root on virtio-blk, then detached and driven by vmm pause, stats,
# resume and stop. This is also the regression test for the kernel that used to
# print nothing here: every timer tick cost it more traps than the time
# between two ticks (README "Linux on the trap backend").
. /tests/lib.sh
. /tests/nommu.sh
plan 19
# Two busy loops, one per hart, then each hart's CPU time.
work='for c in 0 1; do taskset -c $c sh -c "i=0; while [ \$i -lt 400 ]; do i=\$((i + 1)); done" & done; wait
awk "/^cpu[01] / && \$2 + \$4 > 0 { print \"busy-\" \$1 }" /proc/stat'
nommu_boot initrd "$NOMMU_CMDS
$work" --cpus 2 --initrd $NOMMU/rootfs.cpio
nommu_check_shell initrd "initramfs, 2 harts" 2
check "both harts ran work" sh -c 'grep -q busy-cpu0 /tmp/initrd.txt && grep -q busy-cpu1 /tmp/initrd.txt'

# Root on ext2 over virtio-blk: a file written there is on the image after.
cp $NOMMU/root.ext2 /tmp/root.ext2
nommu_boot ext2 'echo persisted-$((6 * 7)) >/written.txt; sync
awk "/virtio/ && \$2 > 0 { print \"disk\" \"-irqs\" }" /proc/interrupts
cat /bin/syscall-bench | md5sum | sed s/^/md5:/' \
	--disk /tmp/root.ext2 --cmdline "console=ttyS0 quiet root=/dev/vda rw init=/init"
check "ext2 root: vmm exits 0 ($nommu_status)" [ "$nommu_status" -eq 0 ]
check "ext2 root: the disk takes virtio-blk interrupts" grep -q disk-irqs /tmp/ext2.txt
md5=$(md5sum /guest/nommu/syscall-bench | cut -d' ' -f1)
check "ext2 root: a file read from the disk is intact" grep -q "md5:$md5" /tmp/ext2.txt
check "ext2 root: the file the guest wrote is on the image" grep -q persisted-42 /tmp/root.ext2
grep -q disk-irqs /tmp/ext2.txt || show /tmp/ext2.txt 20

# Detached, its root the ext2 image read-only: pause, vmm stats and
# resume, then a graceful stop (SysRq o powers it off).
vmm run --kernel $NOMMU/Image --name nm --detach --disk /tmp/root.ext2,readonly=on \
	--cmdline "console=ttyS0 quiet root=/dev/vda ro init=/init" \
	--console file:/tmp/nm.console </dev/null >/tmp/nm.start 2>&1
i=0
until grep -q 'shell ready' /tmp/nm.console 2>/dev/null || [ $i -ge 600 ]; do sleep 0.5; i=$((i + 1)); done
check "detached, it reaches its shell" grep -q 'shell ready' /tmp/nm.console
vmm pause nm && vmm status nm | grep -q state=paused
check "vmm pause holds it" [ $? -eq 0 ]
# trips HART: round trips to its guest process so far (vmm stats)
trips() { vmm stats nm | awk -v k="vcpu$1.round_trips" '$1 == k { print $2 }'; }
t0=$(trips 0)
check "stats: hart 0 made round trips to its guest process ($t0)" sh -c "[ -n '$t0' ] && [ '$t0' -gt 0 ]"
sleep 1
check "stats while paused: they stand still ($t0, then $(trips 0))" [ "$(trips 0)" = "$t0" ]
vmm stats nm >/tmp/nm.stats
check "stats: the root disk served reads ($(grep '^blk0.reads ' /tmp/nm.stats))" \
	awk '$1 == "blk0.reads" && $2 > 0 { ok = 1 } END { exit !ok }' /tmp/nm.stats
vmm resume nm && vmm status nm | grep -q state=running
check "vmm resume lets it go on" [ $? -eq 0 ]
vmm stop nm --timeout 120 >/tmp/nm.stop 2>&1
st=$?
check "vmm stop ends it gracefully: exit 0 ($st)" [ $st -eq 0 ]
check "... through the guest's power-off path" grep -q 'reboot: Power down' /tmp/nm.console
[ $st -eq 0 ] || { show /tmp/nm.stop; show /tmp/nm.console; }
done_testing
