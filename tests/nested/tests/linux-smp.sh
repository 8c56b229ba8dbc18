# cpu: h=true
# timeout: 600
# vmm boots the Linux guest with 1 and with 4 harts to its /init, which
# checks harts, interrupts and console input, then powers off.
. /tests/lib.sh
plan 14
boot() { # harts
	out=/tmp/linux-$1.out
	rm -f /tmp/in-$1 && mkfifo /tmp/in-$1
	vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cpus "$1" --memory 256M \
		--cmdline "console=ttyS0 quiet vmm.guest=check vmm.cpus=$1" </tmp/in-$1 >"$out" 2>&1 &
	pid=$!
	exec 3>/tmp/in-$1
	# Type the line only once the guest waits for it.
	i=0
	while ! grep -q '^guest-ready' "$out" && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.5; i=$((i + 1))
	done
	echo "typed-on-the-console-$1" >&3
	exec 3>&-
	wait $pid
	status=$?
	tr -d '\r' <"$out" >"$out.txt"
	check "$1 hart(s): vmm exits 0 after the guest powers off" [ $status -eq 0 ]
	check "$1 hart(s): guest counted its harts" grep -q "^guest-ok: $1 harts in /proc/cpuinfo" "$out.txt"
	check "$1 hart(s): guest ran work on every hart" grep -q '^guest-ok: work ran on every hart' "$out.txt"
	check "$1 hart(s): UART interrupt counting" grep -q '^guest-ok: UART interrupt counting' "$out.txt"
	check "$1 hart(s): PLIC in /proc/interrupts" grep -q '^guest-ok: PLIC listed' "$out.txt"
	check "$1 hart(s): line typed on the console echoed back" grep -q "^guest-echo: typed-on-the-console-$1\$" "$out.txt"
	check "$1 hart(s): guest reports no failed check" grep -q '^guest-done: 0 failed' "$out.txt"
	grep -q '^guest-done: 0 failed' "$out.txt" || show "$out.txt" 30
}
boot 1
boot 4
done_testing
