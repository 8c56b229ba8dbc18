#!/bin/sh
# The native vmm of a host that is not riscv64 (build/native/bin/vmm):
# --help and vmm check work; vmm run says guests need a riscv64 host and
# points at the nested setup. Prints TAP. On a riscv64 host there is no
# such binary and nothing to check.
vmm=build/native/bin/vmm
case $(uname -m) in riscv64) exit 0 ;; esac
if [ ! -x $vmm ]; then
	echo "not ok - foreign host: $vmm missing (run make)"
	exit 0
fi
t() { # DESCRIPTION COMMAND...: ok when the command succeeds
	desc=$1
	shift
	if "$@"; then echo "ok - foreign host: $desc"; else echo "not ok - foreign host: $desc"; fi
}
out=build/check/foreign.out
$vmm --help >$out 2>&1
t "--help works here" grep -q -- '--entry-mode' $out
printf '[kernel]\npath = %s\n' "$PWD/build/firmware/hello-s.elf" >build/check/foreign.conf
$vmm check -c build/check/foreign.conf >$out 2>&1
t "vmm check validates a config here" grep -q '^ok: ' $out
$vmm run --kernel build/firmware/hello-s.elf </dev/null >$out 2>&1
status=$?
t "vmm run: exit 70 ($status)" [ $status -eq 70 ]
t "... '$(head -n 1 $out)'" grep -q "^vmm: guests need a riscv64 host, and this one is $(uname -m): run vmm inside the nested setup (make demo, see README)$" $out
