# cpu: h=true
# timeout: 300
# virtio-rng under the Linux driver: on by default, /dev/hwrng gives
# random bytes; --rng off and a config file's rng = off leave none.
. /tests/lib.sh
plan 8
guest() { # SCRIPT [VMM ARGS]: console in /tmp/$1.txt, status returned
	s=$1
	shift
	vmm run --kernel /guest/Image --initrd /guest/guest.cpio \
		--cmdline "console=ttyS0 quiet vmm.guest=script:$s" "$@" </dev/null >/tmp/$s.out 2>&1
	st=$?
	tr -d '\r' </tmp/$s.out >/tmp/$s.txt
	return $st
}
guest rng --log-level info
status=$?
check "the guest's driver takes vmm's virtio-rng as its source (exit $status)" grep -q '^guest-rng-current: virtio_rng.0$' /tmp/rng.txt
check "/dev/hwrng gives two different full buffers of random bytes" grep -q '^guest-ok: rng$' /tmp/rng.txt
[ $status -eq 0 ] || show /tmp/rng.txt 30
check "its queue's notify wakes the I/O thread by KVM_IOEVENTFD" grep -q '^vmm: virtio: notify by eventfd, without an exit: 1 queue$' /tmp/rng.txt
check "the guest reads the PLIC's enable bits from a read-only page, without an exit" grep -q '^vmm: plic: its enable bits read without an exit$' /tmp/rng.txt
VMM_IOEVENTFD=0 guest rng
check "with VMM_IOEVENTFD=0, by MMIO exit: the same" grep -q '^guest-ok: rng$' /tmp/rng.txt
guest rng-none --rng off
check "--rng off: no virtio-rng, no source" grep -q '^guest-rng-current: none$' /tmp/rng-none.txt
printf '[vm]\nrng = off\n[kernel]\npath = /guest/Image\ninitrd = /guest/guest.cpio\ncmdline = console=ttyS0 quiet vmm.guest=script:rng-none\n' >/tmp/rng.conf
vmm run -c /tmp/rng.conf </dev/null 2>&1 | tr -d '\r' >/tmp/conf.txt
check "rng = off in a config file: the same" grep -q '^guest-rng-current: none$' /tmp/conf.txt
vmm run --kernel /guest/Image --rng maybe </dev/null >/tmp/bad.out 2>&1
status=$?
check "--rng maybe: a usage error ($status): '$(cat /tmp/bad.out)'" sh -c "[ $status -eq 64 ] && grep -q '^vmm: --rng maybe: must be on or off' /tmp/bad.out"
done_testing
