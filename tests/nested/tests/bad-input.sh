# cpu: h=true
# timeout: 120
# Bad input: one clear line on stderr, a documented exit status, no core.
. /tests/lib.sh
plan 15
ulimit -c unlimited
cd /tmp
# bad STATUS PATTERN DESCRIPTION ARGS...: vmm exits STATUS and its stderr
# is one line matching PATTERN.
bad() {
	want=$1 pattern=$2 desc=$3
	shift 3
	vmm "$@" </dev/null >/tmp/bad.out 2>/tmp/bad.err
	got=$?
	lines=$(wc -l </tmp/bad.err)
	if [ "$got" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q "$pattern" /tmp/bad.err; then
		pass "$desc: exit $got, '$(cat /tmp/bad.err)'"
	else
		fail "$desc: exit $got (want $want), stderr:"
		show /tmp/bad.err
	fi
}
dd if=/dev/zero of=/tmp/big.img bs=1M count=20 2>/dev/null
bad 70 "^vmm: kernel /nonexistent: No such file or directory$" "kernel file missing" \
	run --kernel /nonexistent
bad 70 "^vmm: kernel /tmp/big.img: does not fit in guest RAM (16 MiB)$" "kernel too large for RAM" \
	run --kernel /tmp/big.img --memory 16M
bad 70 "^vmm: initrd /tmp/big.img: does not fit in guest RAM (16 MiB)$" "initrd too large for RAM" \
	run --kernel /firmware/hello-s.elf --initrd /tmp/big.img --memory 16M
bad 64 "^vmm: --memory 0: must be a multiple of 4K from 2M to 64G" "--memory 0" \
	run --kernel /guest/Image --memory 0
bad 64 "^vmm: --memory lots: not a size" "--memory lots" \
	run --kernel /guest/Image --memory lots
bad 64 "^vmm: --cpus 99: must be 1 to 8" "--cpus 99" \
	run --kernel /guest/Image --cpus 99
bad 64 "^vmm: no kernel given" "no --kernel" run
bad 64 "^vmm: unknown command 'frobnicate'" "unknown command" frobnicate
bad 70 "^vmm: initrd /nope: No such file or directory$" "initrd missing" \
	run --kernel /guest/Image --initrd /nope
bad 70 "^vmm: kernel /tmp: Is a directory$" "kernel is a directory" run --kernel /tmp
bad 64 "^vmm: --console tty9: must be stdio or file:PATH" "bad --console" \
	run --kernel /guest/Image --console tty9
# No /dev/kvm: hide it by running vmm in a private mount namespace...
mkdir -p /tmp/nodev
if unshare -m sh -c 'mount -t tmpfs none /dev && exec vmm run --kernel /guest/Image --backend kvm' </dev/null >/tmp/bad.out 2>/tmp/bad.err; then got=0; else got=$?; fi
if [ "$got" -eq 70 ] && [ "$(wc -l </tmp/bad.err)" -eq 1 ] && grep -q "^vmm: /dev/kvm: No such file or directory" /tmp/bad.err; then
	pass "no /dev/kvm with --backend kvm: exit 70, '$(cat /tmp/bad.err)'"
else
	fail "no /dev/kvm with --backend kvm: exit $got"
	show /tmp/bad.err
fi
check "no core dumped" sh -c '! ls /tmp/core* >/dev/null 2>&1'
vmm --help >/tmp/help.out
check "--help documents the exit statuses" grep -q "^  65 *guest reset" /tmp/help.out
check "--help documents the console escape" grep -q "Ctrl-A x" /tmp/help.out
done_testing
