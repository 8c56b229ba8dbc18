#!/bin/sh
# Pack an initramfs: mkcpio.sh OUT INIT BUSYBOX [DEST=SRC ...]
# INIT becomes /init, BUSYBOX /bin/busybox (init installs its applets), and
# each SRC is copied to /DEST. An OUT ending in .ext2 is an ext2 disk image
# of the same tree instead (genext2fs, 8 MiB, owned by root), a root
# file system to boot from.
set -eu
out=$1 init=$2 busybox=$3
shift 3
stage=$(mktemp -d)
chmod 0755 "$stage" # it becomes /
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/root" "$stage/run" "$stage/mnt"
cp "$init" "$stage/init"
cp "$busybox" "$stage/bin/busybox"
for pair in "$@"; do
	dest=${pair%%=*} src=${pair#*=}
	mkdir -p "$stage/$(dirname "$dest")"
	cp "$src" "$stage/$dest"
done
case $out in
*.ext2) genext2fs -d "$stage" -b 8192 -N 512 -U "$out.tmp" ;;
*) (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp" ;;
esac
mv "$out.tmp" "$out"
