#!/bin/sh
# Build a riscv64 Linux Image from a Debian linux-source-VERSION tarball.
# usage: build-kernel.sh FRAGMENT[,FRAGMENT...] OUT_DIR [VERSION [BASE_CONFIG]]
#   VERSION 6.1 (default): the test kernel, tinyconfig plus the fragments;
#   6.12 with tests/kernel.config,tests/kernel-6.12.config: the same for a
#   6.12 host and guest; 6.12 nommu_virt_defconfig: the trap backend's
#   NOMMU guest.
# Writes OUT_DIR/Image and OUT_DIR/config (and, for 6.1, the libfdt
# sources). Work happens in OUT_DIR.tmp and is renamed into place only on
# success, so a half-built cache never counts.
set -eu
frags=
for f in $(echo "$1" | tr , ' '); do frags="$frags $(realpath "$f")"; done
out=$2
version=${3:-6.1}
base=${4:-tinyconfig}
tarball=/usr/src/linux-source-$version.tar.xz
[ -r "$tarball" ] || { echo "build-kernel: $tarball missing (apt-get install linux-source-$version)" >&2; exit 1; }
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
echo "build-kernel: extracting $tarball"
tar -C "$tmp" -xJf "$tarball"
src=$(echo "$tmp"/linux-source-"$version")
mk() { make -C "$src" -s ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
mk "$base"
# shellcheck disable=SC2086 # frags is a list of paths
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" $frags >/dev/null
mk olddefconfig
# Every line of the fragment must have survived olddefconfig: a silently
# dropped option (unmet dependency) would give a kernel that cannot run tests.
# A later fragment may waive an earlier one's line that this version no
# longer has ("# build-kernel: gone here: CONFIG_X=y").
# shellcheck disable=SC2086
waived=$(cat $frags | sed -n 's/^# build-kernel: gone here: //p')
# shellcheck disable=SC2086
missing=$(cat $frags | grep -E '^CONFIG_.*=y|^# CONFIG_.* is not set' | while read -r l; do
	grep -qx "$l" "$src/.config" || echo "$waived" | grep -qx "$l" || echo "$l"
done)
[ -z "$missing" ] || { echo "build-kernel: options dropped by Kconfig: $missing" >&2; exit 1; }
echo "build-kernel: building Image with $(nproc) jobs"
mk -j"$(nproc)" Image >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; exit 1; }
cp "$src/arch/riscv/boot/Image" "$tmp/Image"
cp "$src/.config" "$tmp/config"
if [ "$version" = 6.1 ]; then
	# Keep libfdt's sources: the riscv64 libfdt is built from the same tarball.
	mkdir -p "$tmp/libfdt-src"
	cp "$src"/scripts/dtc/libfdt/*.[ch] "$tmp/libfdt-src/"
fi
rm -rf "$src"
rm -rf "$out"
mv "$tmp" "$out"
echo "build-kernel: $out/Image ready"
