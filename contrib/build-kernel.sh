#!/bin/sh
# Build the riscv64 test kernel Image from Debian's linux-source-6.1.
# usage: build-kernel.sh CONFIG_FRAGMENT OUT_DIR
# Writes OUT_DIR/Image and OUT_DIR/config. Work happens in OUT_DIR.tmp and
# is renamed into place only on success, so a half-built cache never counts.
set -eu
frag=$(realpath "$1")
out=$2
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build-kernel: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
echo "build-kernel: extracting $tarball"
tar -C "$tmp" -xJf "$tarball"
src=$(echo "$tmp"/linux-source-6.1)
mk() { make -C "$src" -s ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
mk tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$frag" >/dev/null
mk olddefconfig
# Every =y line of the fragment must have survived olddefconfig: a silently
# dropped option (unmet dependency) would give a kernel that cannot run tests.
missing=$(grep '^CONFIG_.*=y' "$frag" | while read -r l; do grep -qx "$l" "$src/.config" || echo "$l"; done)
[ -z "$missing" ] || { echo "build-kernel: options dropped by Kconfig: $missing" >&2; exit 1; }
echo "build-kernel: building Image with $(nproc) jobs"
mk -j"$(nproc)" Image >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; exit 1; }
cp "$src/arch/riscv/boot/Image" "$tmp/Image"
cp "$src/.config" "$tmp/config"
# Keep libfdt's sources: the riscv64 libfdt is built from the same tarball.
mkdir -p "$tmp/libfdt-src"
cp "$src"/scripts/dtc/libfdt/*.[ch] "$tmp/libfdt-src/"
rm -rf "$src"
rm -rf "$out"
mv "$tmp" "$out"
echo "build-kernel: $out/Image ready"
