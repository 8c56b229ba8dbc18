#!/bin/sh
# Build a static libfdt for the riscv64 vmm binary from the libfdt sources in
# Debian's linux-source-6.1 tarball (scripts/dtc/libfdt).
# usage: build-libfdt.sh CC OUT_DIR   (writes OUT_DIR/libfdt.a, OUT_DIR/include)
set -eu
cc=$1
out=$2
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build-libfdt: $tarball missing (run contrib/deps.sh)" >&2; exit 1; }
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include" "$tmp/obj"
tar -C "$tmp" -xJf "$tarball" --wildcards 'linux-source-6.1/scripts/dtc/libfdt/*'
src=$tmp/linux-source-6.1/scripts/dtc/libfdt
for c in "$src"/fdt*.c; do
	"$cc" -O2 -fPIE -I"$src" -c "$c" -o "$tmp/obj/$(basename "$c" .c).o"
done
ar rcs "$tmp/libfdt.a" "$tmp"/obj/*.o
cp "$src"/libfdt.h "$src"/libfdt_env.h "$src"/fdt.h "$tmp/include/"
rm -rf "$tmp/obj" "$tmp/linux-source-6.1" "$out"
mv "$tmp" "$out"
echo "build-libfdt: $out/libfdt.a ready"
