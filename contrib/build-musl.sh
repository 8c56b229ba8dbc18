#!/bin/sh
# Build musl for riscv64 from Debian's source package: the libc of the
# NOMMU Linux guest's userspace (glibc does not support NOMMU). Installs
# headers, the static libraries and the start files (rcrt1.o for
# static-PIE), with the Linux uapi headers of linux-libc-dev-riscv64-cross
# beside them, into OUT_DIR; contrib/musl-cc.sh compiles against it.
# usage: build-musl.sh OUT_DIR
set -eu
out=$(realpath -m "$1")
here=$(dirname "$(realpath "$0")")
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/src"
cd "$tmp/src"
apt-get source -qq musl >/dev/null 2>&1 || {
	echo "build-musl: 'apt-get source musl' failed: run contrib/deps.sh (needs a deb-src entry and dpkg-dev)" >&2
	exit 1
}
src=$(find . -maxdepth 1 -type d -name 'musl-*' | head -n 1)
# musl has no riscv64 vfork: its generic one forks, which NOMMU cannot do
mkdir -p "$src/src/process/riscv64"
cp "$here/musl-riscv64-vfork.s" "$src/src/process/riscv64/vfork.s"
cd "$src"
./configure --target=riscv64-linux-gnu CROSS_COMPILE=riscv64-linux-gnu- \
	--prefix="$tmp/sysroot" --disable-shared >"$tmp/build.log" 2>&1 ||
	{ tail -n 30 "$tmp/build.log" >&2; exit 1; }
make -j"$(nproc)" >>"$tmp/build.log" 2>&1 && make install >>"$tmp/build.log" 2>&1 ||
	{ tail -n 30 "$tmp/build.log" >&2; exit 1; }
# Programs like busybox include <linux/...> and <asm/...>.
uapi=/usr/riscv64-linux-gnu/include
for d in linux asm asm-generic mtd; do
	cp -r "$uapi/$d" "$tmp/sysroot/include/"
done
cd /
rm -rf "$out"
mv "$tmp/sysroot" "$out"
rm -rf "$tmp"
echo "build-musl: $out ready"
