#!/bin/sh
# Exit 0 when everything contrib/deps.sh installs is here, else say what is
# missing and exit 1.
missing=
for cmd in riscv64-linux-gnu-gcc qemu-system-riscv64 dtc cpio pkg-config flex bison bc dpkg-source clang gnuplot; do
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
done
[ -r /usr/src/linux-source-6.1.tar.xz ] || missing="$missing linux-source-6.1"
[ -r /usr/src/linux-source-6.12.tar.xz ] || missing="$missing linux-source-6.12"
command -v genext2fs >/dev/null 2>&1 || missing="$missing genext2fs"
ls /usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || [ "$(uname -m)" != x86_64 ] || missing="$missing libclang-rt-14-dev"
[ -r /usr/include/libfdt.h ] || missing="$missing libfdt-dev"
[ -r /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin ] || missing="$missing u-boot-qemu"
pkg-config --exists cmocka 2>/dev/null || missing="$missing libcmocka-dev"
[ -r /usr/riscv64-linux-gnu/include/linux/kvm.h ] || missing="$missing linux-libc-dev-riscv64-cross"
grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ || grep -qs '^deb-src' /etc/apt/sources.list || missing="$missing deb-src-entry"
[ -z "$missing" ] && exit 0
echo "missing:$missing; running contrib/deps.sh" >&2
exit 1
