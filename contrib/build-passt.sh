#!/bin/sh
# Build a static riscv64 passt (user-mode networking for `--net user`) from
# Debian's source package, for the nested test host: bookworm has no
# riscv64 passt to install. On a riscv64 Debian host, `apt install passt`.
# usage: build-passt.sh OUT_DIR     (writes OUT_DIR/passt)
set -eu
out=$(realpath -m "$1")
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
# Only the upstream tarball is needed (passt's own `make static` knows
# how to build without NSS); the mirror here has been seen to answer 404
# for the Debian packaging tarball, which apt-get then reports as a
# failure although the upstream one arrived (and was checked) whole.
apt-get source -qq --download-only passt >/dev/null 2>&1 || true
orig=$(find . -maxdepth 1 -name 'passt_*.orig.tar.*' | head -n 1)
[ -n "$orig" ] || {
	echo "build-passt: 'apt-get source passt' fetched nothing: run contrib/deps.sh (needs a deb-src entry)" >&2
	exit 1
}
tar xf "$orig"
src=$(find . -maxdepth 1 -type d -name 'passt*' | head -n 1)
make -C "$src" -s CC=riscv64-linux-gnu-gcc static >"$tmp/build.log" 2>&1 ||
	{ tail -n 30 "$tmp/build.log" >&2; exit 1; }
cp "$src/passt" "$tmp/passt.bin"
cd /
mkdir -p "$out.new"
mv "$tmp/passt.bin" "$out.new/passt"
rm -rf "$tmp" "$out"
mv "$out.new" "$out"
echo "build-passt: $out/passt ready"
