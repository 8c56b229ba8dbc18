# cpu: h=true,x-ssaia=true,x-smaia=true
# machine: aia=aplic
# timeout: 300
# KVM's in-kernel AIA (make check runs this on the Linux 6.12 nested host
# only, which QEMU gives Ssaia and an APLIC and IMSICs with guest files):
# vmm creates it in place of its PLIC by default, a 6.12 guest takes its
# UART and virtio-blk interrupts through the APLIC and IMSICs with no exit
# to claim or complete them, --irqchip plic keeps vmm's PLIC (for guests
# before Linux 6.10), and --irqchip aia where there is none is an error.
. /tests/lib.sh
plan 8
dd if=/dev/zero of=/tmp/aia.img bs=1M count=16 2>/dev/null
guest() { # OUT IRQCHIP KERNEL
	vmm run --log-level debug --irqchip "$2" --kernel "$3" --initrd /guest/guest.cpio --cpus 2 \
		--cmdline "console=ttyS0 quiet vmm.guest=script:irqchip" --disk /tmp/aia.img \
		</dev/null 2>&1 | tr -d '\r' >"$1"
}
exits() { sed -n 's/.*kvm: \([0-9]*\) MMIO exits served.*/\1/p' "$1"; }
guest /tmp/auto.txt auto /guest/Image-6.12
check "auto: vmm makes KVM's in-kernel AIA its interrupt controller" \
	grep -q 'kvm: in-kernel AIA irqchip (' /tmp/auto.txt
grep 'in-kernel AIA\|guest-irq' /tmp/auto.txt | sed 's/^/# /'
check "a 6.12 guest takes the UART's and the disk's interrupts through the APLIC, and its disk round trip completes" \
	sh -c "grep -q '^guest-ok: irqchip' /tmp/auto.txt && grep -q '^guest-irq: .*APLIC.*ttyS0' /tmp/auto.txt && grep -q '^guest-irq: .*APLIC.*virtio' /tmp/auto.txt"
grep -q '^guest-ok: irqchip' /tmp/auto.txt || show /tmp/auto.txt 30
guest /tmp/plic.txt plic /guest/Image-6.12
check "--irqchip plic: the same guest through vmm's PLIC" \
	sh -c "grep -q '^guest-ok: irqchip' /tmp/plic.txt && grep -q '^guest-irq: .*PLIC.*virtio' /tmp/plic.txt && ! grep -q 'in-kernel AIA irqchip (' /tmp/plic.txt"
a=$(exits /tmp/auto.txt)
p=$(exits /tmp/plic.txt)
echo "# aia-kvm: MMIO exits for the same run: $a with the AIA, $p with vmm's PLIC"
check "fewer exits to vmm with the AIA ($a) than with the PLIC ($p)" test "${a:-0}" -gt 0 -a "${a:-0}" -lt "${p:-0}"
guest /tmp/old.txt plic /guest/Image
check "--irqchip plic: a 6.1 guest (no AIA drivers) runs as before" grep -q '^guest-ok: irqchip' /tmp/old.txt
vmm run --irqchip aia --backend trap --kernel /firmware/hello-s.elf </dev/null >/tmp/trap.out 2>&1
status=$?
check "--irqchip aia on the trap backend: exit 70 ($status) and why: '$(head -n 1 /tmp/trap.out)'" \
	sh -c "[ $status -eq 70 ] && grep -q 'only the KVM backend has one' /tmp/trap.out"
vmm run --irqchip bogus --kernel /firmware/hello-s.elf </dev/null >/tmp/bad.out 2>&1
status=$?
check "--irqchip bogus: a usage error ($status)" sh -c "[ $status -eq 64 ] && grep -q 'must be auto, plic or aia' /tmp/bad.out"
vmm run --irqchip aia --kernel /firmware/hello-s.elf </dev/null >/tmp/hello.out 2>&1
check "--irqchip aia: a firmware guest that never takes an interrupt runs as well" grep -q 'hello from vmm firmware: S-mode, hart 0, uart' /tmp/hello.out
done_testing
