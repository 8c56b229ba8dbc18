#!/bin/sh
# Install the Debian 12 packages that building and testing vmm needs.
# Run as root; as another user it prints the command to run instead.
set -eu
pkgs="make gcc libc6-dev pkg-config libcmocka-dev libfdt-dev device-tree-compiler
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross linux-libc-dev-riscv64-cross
linux-source-6.1 linux-source-6.12 genext2fs qemu-system-misc opensbi u-boot-qemu cpio xz-utils bc flex bison perl
dpkg-dev clang-format clang libclang-rt-14-dev gnuplot-nox"
srcs=/etc/apt/sources.list.d/vmm-deb-src.sources
if [ "$(id -u)" != 0 ]; then
	echo "contrib/deps.sh: not root; run as root:" >&2
	echo "  apt-get update && apt-get install -y $(echo $pkgs)" >&2
	echo "  (and add a 'Types: deb-src' entry for bookworm main, for busybox's source)" >&2
	exit 1
fi
# busybox is built from Debian's source package (no riscv64 binaries in bookworm).
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	keyring=$(sed -n 's/^Signed-By: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
	[ -n "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: %s\n' "$uri" "$keyring" >"$srcs"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
echo "contrib/deps.sh: dependencies installed"
