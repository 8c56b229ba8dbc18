#!/bin/sh
# Pack an initramfs: mkcpio.sh OUT INIT BUSYBOX [DEST=SRC ...]
# INIT becomes /init, BUSYBOX /bin/busybox (init installs its applets), and
# each SRC is copied to /DEST.
set -eu
out=$1 init=$2 busybox=$3
shift 3
stage=$(mktemp -d)
chmod 0755 "$stage" # it becomes /
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/root" "$stage/run"
cp "$init" "$stage/init"
cp "$busybox" "$stage/bin/busybox"
for pair in "$@"; do
	dest=${pair%%=*} src=${pair#*=}
	mkdir -p "$stage/$(dirname "$dest")"
	cp "$src" "$stage/$dest"
done
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
