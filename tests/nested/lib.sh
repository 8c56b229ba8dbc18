# Sourced by every nested test script: TAP helpers.
# Scripts call plan N first, then one ok/not_ok per check.
n=0
failures=0
plan() { echo "1..$1"; }
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# expect_status N DESCRIPTION COMMAND...: passes when COMMAND exits N.
expect_status() {
	want=$1 desc=$2
	shift 2
	"$@"
	got=$?
	if [ "$got" -eq "$want" ]; then pass "$desc"; else fail "$desc (exit status $got, want $want)"; fi
}
# result BENCH FIGURE VALUE FLOOR UNIT BETTER [TARGET]: one benchmark
# figure beside its floor from the same run, for build/bench/results.json
# (bench/results.sh). BETTER: higher (a rate) or lower (a time); TARGET:
# the ratio to reach, as value/floor for a rate and floor/value for a time.
result() {
	[ -n "$3" ] && [ -n "$4" ] &&
		echo "# result: $1|$2|$3|$4|$5|$6|${7:--}"
}
# show FILE: the file's last lines as TAP comments (for a failure's reason).
show() { tail -n "${2:-15}" "$1" | sed 's/^/# /'; }
# check_firmware NAME DESCRIPTION [VMM ARGS...]: /firmware/NAME.elf under
# vmm exits 0 and prints exactly /firmware/NAME.expected, the lines it
# prints on plain QEMU (firmware/expected/, tests/reference.sh), with
# /firmware/NAME.in, where there is one, piped into its console.
check_firmware() {
	fw=$1 desc=$2
	shift 2
	fw_in=/firmware/$fw.in
	[ -f "$fw_in" ] || fw_in=/dev/null
	vmm run --kernel "/firmware/$fw.elf" "$@" <"$fw_in" >"/tmp/$fw.out" 2>"/tmp/$fw.err"
	fw_status=$?
	tr -d '\r' <"/tmp/$fw.out" >"/tmp/$fw.txt"
	if [ $fw_status -eq 0 ] && cmp -s "/tmp/$fw.txt" "/firmware/$fw.expected"; then
		pass "$fw: $desc"
	else
		fail "$fw: $desc (exit status $fw_status)"
		show "/tmp/$fw.txt"
		show "/tmp/$fw.err"
	fi
}
# check_u_boot MODE DESCRIPTION [VMM ARGS...]: Debian's U-Boot for QEMU
# virt (/firmware/u-boot-MODE.bin, MODE s or m) runs the commands of
# /firmware/u-boot.in under vmm, prints between its markers what it prints
# on QEMU (/firmware/u-boot.expected, tests/reference.sh), the disk's
# vendor (QEMU's ID) included, and powers off.
check_u_boot() {
	ub_mode=$1 desc=$2
	shift 2
	vmm run --kernel "/firmware/u-boot-$ub_mode.bin" "$@" </firmware/u-boot.in \
		>/tmp/u-boot.out 2>/tmp/u-boot.err
	ub_status=$?
	tr -d '\r' </tmp/u-boot.out | sed -n '/^ub: start/,/^ub: done/p' >/tmp/u-boot.txt
	if [ $ub_status -eq 0 ] && cmp -s /tmp/u-boot.txt /firmware/u-boot.expected; then
		pass "U-Boot ($ub_mode-mode): $desc"
	else
		fail "U-Boot ($ub_mode-mode): $desc (exit status $ub_status)"
		tr -d '\r' </tmp/u-boot.out >/tmp/u-boot.log
		show /tmp/u-boot.log 25
		show /tmp/u-boot.err
	fi
}
# busy_ticks: the CPU time (user, nice, system: 1/100 s ticks, all CPUs
# together) the nested host spends in the next second.
busy_ticks() {
	a=$(awk '/^cpu /{print $2+$3+$4}' /proc/stat)
	sleep 1
	b=$(awk '/^cpu /{print $2+$3+$4}' /proc/stat)
	echo $((b - a))
}
done_testing() { exit $((failures > 0)); }
# stats_sum VM KEY...: the sums of VM's counters named OWNER.KEY (vmm
# stats: vcpu0.exits, blk0.reads, ...), one a KEY, on one line; 0 where
# it has none
stats_sum() {
	ss_vm=$1
	shift
	vmm stats "$ss_vm" 2>/dev/null | awk -v keys="$*" '
		{ n = split($1, a, "."); s[a[n]] += $2 }
		END { n = split(keys, k, " "); for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? " " : ""), s[k[i]]; print "" }'
}
# wait_for PATTERN FILE PID [HALF_SECONDS]: until a line of FILE matches
# PATTERN (grep), PID is gone, or the time is up (default 3 minutes).
wait_for() {
	w=0
	while ! grep -q "$1" "$2" 2>/dev/null && kill -0 "$3" 2>/dev/null &&
		[ $w -lt "${4:-360}" ]; do
		sleep 0.5
		w=$((w + 1))
	done
}
# on_tmpfs_root SCRIPT: run the test script again (before its plan) with
# a tmpfs mounted over / as its root, as a real host's root is a mounted
# file system (the way switch_root leaves an initramfs). The nested host
# runs from its initramfs itself, where pivot_root(2) cannot work, and
# passt's sandbox needs it (and a user namespace, which a plain chroot
# would not allow).
on_tmpfs_root() {
	[ -e /.tmpfs-root ] && return 0
	r=/mnt/root
	mkdir -p $r
	mount -t tmpfs -o size=1500M tmpfs $r || return 1
	cp -a /bin /configs /firmware /guest /tests /root $r/
	mkdir -p $r/dev $r/proc $r/sys $r/tmp $r/run $r/etc
	mount -o bind /dev $r/dev
	mount -t proc proc $r/proc
	mount -t sysfs sysfs $r/sys
	mount -t tmpfs tmpfs $r/tmp
	: >$r/.tmpfs-root
	cd $r && mount -o move $r / && exec chroot . /bin/sh "$1"
	echo "not ok - could not move a tmpfs over /"
	exit 1
}
