#!/bin/sh
# Build a static riscv64 busybox from Debian's source package: the shell and
# tools of the nested host's test scripts and of the demo guest.
# usage: build-busybox.sh OUT_DIR             (glibc, static: writes OUT_DIR/busybox)
#        build-busybox.sh OUT_DIR MUSL_DIR    (NOMMU, static-PIE against that
#                                              musl: the NOMMU Linux guest's)
set -eu
out=$(realpath -m "$1")
musl=${2:+$(realpath "$2")}
here=$(dirname "$(realpath "$0")")
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
cc=riscv64-linux-gnu-gcc
[ -z "$musl" ] || cc="env MUSL=$musl sh $here/musl-cc.sh"
mk() { make -C "$src" -s ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- CC="$cc" "$@"; }
mk defconfig >/dev/null
sed -i -e 's/^CONFIG_TC=y/# CONFIG_TC is not set/' \
	-e 's/^CONFIG_FEATURE_TC_INGRESS=y/# CONFIG_FEATURE_TC_INGRESS is not set/' "$src/.config"
if [ -z "$musl" ]; then
	sed -i 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' "$src/.config"
else
	# vfork instead of fork, hush instead of ash (ash needs an MMU)
	sed -i 's/^# CONFIG_NOMMU is not set/CONFIG_NOMMU=y/' "$src/.config"
fi
yes '' | mk oldconfig >/dev/null
mk -j"$(nproc)" busybox >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; exit 1; }
cp "$src/busybox" "$tmp/busybox.bin"
cd /
mkdir -p "$out.new"
mv "$tmp/busybox.bin" "$out.new/busybox"
rm -rf "$tmp" "$out"
mv "$out.new" "$out"
echo "build-busybox: $out/busybox ready"
