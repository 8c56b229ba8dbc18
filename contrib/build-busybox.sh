#!/bin/sh
# Build a static riscv64 busybox from Debian's source package: the shell and
# tools of the nested host's test scripts and of the demo guest.
# usage: build-busybox.sh OUT_DIR   (writes OUT_DIR/busybox)
set -eu
out=$1
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
# --download-only --no-... keeps apt from needing build-deps; dpkg-source
# (dpkg-dev) unpacks. The deb-src entry is added by contrib/deps.sh.
apt-get source -qq busybox >/dev/null 2>&1 || {
	echo "build-busybox: 'apt-get source busybox' failed: run contrib/deps.sh (needs a deb-src entry and dpkg-dev)" >&2
	exit 1
}
src=$(find . -maxdepth 1 -type d -name 'busybox-*' | head -n 1)
mk() { make -C "$src" -s ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
mk defconfig >/dev/null
sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
	-e 's/^CONFIG_TC=y/# CONFIG_TC is not set/' \
	-e 's/^CONFIG_FEATURE_TC_INGRESS=y/# CONFIG_FEATURE_TC_INGRESS is not set/' "$src/.config"
yes '' | mk oldconfig >/dev/null
mk -j"$(nproc)" busybox >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; exit 1; }
cp "$src/busybox" "$tmp/busybox.bin"
cd /
mkdir -p "$out.new"
mv "$tmp/busybox.bin" "$out.new/busybox"
rm -rf "$tmp" "$out"
mv "$out.new" "$out"
echo "build-busybox: $out/busybox ready"
