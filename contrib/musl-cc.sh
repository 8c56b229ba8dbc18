#!/bin/sh
# riscv64 gcc against the musl of contrib/build-musl.sh (MUSL=its OUT_DIR):
# compiles position-independent code and links static-PIE executables
# with no interpreter, which a NOMMU Linux's ELF-FDPIC loader runs (musl's
# rcrt1.o applies the relocations). -static and -pie from callers are
# dropped: this is the only kind of link it makes; -r and -shared pass.
: "${MUSL:?MUSL must name the musl sysroot (contrib/build-musl.sh)}"
cc=${MUSL_CROSS_CC:-riscv64-linux-gnu-gcc}
inc="-nostdinc -isystem $MUSL/include -isystem $($cc -print-file-name=include)"
link=1
for a; do
	case $a in -c | -S | -E | -M | -MM | -r | -Wl,-r | -shared) link= ;; esac
done
[ -n "$link" ] || exec $cc $inc -fPIE "$@"
# Rebuild "$@" without -static and -pie.
n=$#
while [ "$n" -gt 0 ]; do
	a=$1
	shift
	n=$((n - 1))
	case $a in -static | -static-pie | -pie) ;; *) set -- "$@" "$a" ;; esac
done
exec $cc $inc -fPIE -nostdlib -nostartfiles -pie -Wl,--no-dynamic-linker -Wl,-z,text \
	"$MUSL/lib/rcrt1.o" "$MUSL/lib/crti.o" "$($cc -print-file-name=crtbeginS.o)" "$@" \
	-L"$MUSL/lib" -Wl,--start-group -lc -lgcc -Wl,--end-group \
	"$($cc -print-file-name=crtendS.o)" "$MUSL/lib/crtn.o"
