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
# From trixie's source package, not bookworm's: bookworm's passt
# (0.0~git20230309) dies of a segmentation fault under multi-MiB
# host-to-guest transfers (README, Benchmarks). A private apt list holds
# trixie's deb-src entry, so nothing else on the machine sees trixie;
# apt checks its signature against the archive keyring as for any source.
# Only the upstream tarball is needed (passt's own `make static` knows
# how to build without NSS); the mirror here has been seen to answer 404
# for the Debian packaging tarball, which apt-get then reports as a
# failure although the upstream one arrived (and was checked) whole.
suite=${PASST_SUITE:-trixie}
uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p apt/lists/partial apt/cache/archives/partial
echo "deb-src [signed-by=$keyring] $uri $suite main" >apt/sources.list
aptp="-o Dir::Etc::SourceList=$tmp/apt/sources.list -o Dir::Etc::SourceParts=$tmp/apt/none
	-o Dir::State::Lists=$tmp/apt/lists -o Dir::Cache=$tmp/apt/cache"
# shellcheck disable=SC2086 # aptp is a list of options
apt-get $aptp update -qq >apt/update.log 2>&1 || {
	tail -n 5 apt/update.log >&2
	echo "build-passt: apt-get update for $suite's sources failed" >&2
	exit 1
}
# shellcheck disable=SC2086
apt-get $aptp source -qq --download-only passt >/dev/null 2>&1 || true
orig=$(find . -maxdepth 1 -name 'passt_*.orig.tar.*' | head -n 1)
[ -n "$orig" ] || {
	echo "build-passt: 'apt-get source passt' ($suite) fetched nothing" >&2
	exit 1
}
tar xf "$orig"
src=$(find . -maxdepth 1 -type d -name 'passt*' | head -n 1)
# -latomic: riscv64 gcc 12 calls out for one-byte atomics
make -C "$src" -s CC=riscv64-linux-gnu-gcc LDFLAGS=-latomic static >"$tmp/build.log" 2>&1 ||
	{ tail -n 30 "$tmp/build.log" >&2; exit 1; }
cp "$src/passt" "$tmp/passt.bin"
cd /
mkdir -p "$out.new"
mv "$tmp/passt.bin" "$out.new/passt"
rm -rf "$tmp" "$out"
mv "$out.new" "$out"
echo "build-passt: $out/passt ready"
