#!/bin/sh
# `make check`: native unit tests, firmware on plain QEMU (the reference),
# then the nested system tests. Ends with "N passed, N failed".
# usage: KERNEL=Image tests/check.sh UNIT_BINARY...
mkdir -p build/check
rm -f build/check/*.tap
echo "# unit tests"
sh tests/run-unit.sh "$@" >build/check/unit.tap
cat build/check/unit.tap
echo "# fuzzing (bounded; make fuzz runs longer)"
sh tests/fuzz/run.sh 15 >build/check/fuzz.tap
cat build/check/fuzz.tap
echo "# the native vmm of a host that is not riscv64"
sh tests/foreign-host.sh >build/check/foreign.tap
cat build/check/foreign.tap
echo "# firmware on qemu-system-riscv64 -M virt (reference)"
sh tests/reference.sh >build/check/reference.tap
cat build/check/reference.tap
echo "# nested harness self-test"
sh tests/harness-selftest.sh >build/check/harness.tap
cat build/check/harness.tap
echo "# nested system tests"
sh tests/nested/run tests/nested/tests/*.sh | tee build/check/nested.tap
# The KVM tests of boot, SMP, virtio-blk, the lifecycle and the firmware
# again on a Linux 6.12 host (README, "Tests"): what its KVM does
# differently (SBI registers, the debug console handed to vmm, more ISA
# extensions) is met by the same vmm; and its in-kernel AIA, which only
# 6.12 has (aia-kvm.sh).
echo "# nested system tests on a Linux 6.12 host"
if [ -z "${KERNEL612:-}" ]; then
	echo "not ok - nested tests on 6.12: KERNEL612 names no kernel (make check sets it)" |
		tee build/check/nested-6.12.tap
else
	KERNEL=$KERNEL612 NESTED_LABEL=6.12 sh tests/nested/run \
		tests/nested/tests/firmware-kvm.sh tests/nested/tests/linux-smp.sh \
		tests/nested/tests/blk-linux.sh tests/nested/tests/lifecycle.sh \
		tests/nested/aia-kvm.sh | tee build/check/nested-6.12.tap
fi
sh tests/tap-summary.sh build/check/*.tap
