# The lifecycle soak, sourced by tests/soak-short.sh (make check) and
# tests/soak-long.sh (make soak) with SOAK_SECONDS set: five VMs started
# from config files (two detached), whose guests spin, reset themselves
# (with and without --reboot), power off and crash on their own, each
# started again whenever it ends; meanwhile three clients send random
# list, status, pause, resume, stop, kill, wait and console commands at
# them. Afterwards every run's exit status is one its guest and the
# commands it got allow, no command that must answer hung, and nothing
# (process, socket, lock file) is left.
. /tests/lib.sh
plan 5
run=/run/vmm
dir=/tmp/soak
rm -rf $dir
mkdir -p $dir
: >$dir/statuses
: >$dir/hung
now() { cut -d. -f1 /proc/uptime; }
end=$(($(now) + SOAK_SECONDS))
# name guest reboot detach: the statuses a run may end with
cat >$dir/vms <<'END'
s0 spin off on 67 gone-before-wait
s1 reset on on 65 67 gone-before-wait
s2 hello off off 0 67
s3 crash off off 66 67
s4 reset off off 65 67
END
while read -r name guest reboot detach allowed; do
	printf '[vm]\nname = %s\nreboot = %s\n[kernel]\npath = /firmware/%s-s.elf\n' \
		"$name" "$reboot" "$guest" >$dir/$name.conf
done <$dir/vms

# One VM, started again each time it ends, until the soak is over.
runner() { # NAME DETACH
	runs=0
	while [ "$(now)" -lt $end ]; do
		if [ "$2" = on ]; then
			if vmm run -c $dir/$1.conf --detach >/dev/null 2>>$dir/$1.err; then
				vmm wait "$1" >/dev/null 2>$dir/$1.wait
				st=$?
				# A client's kill can end it before this wait is
				# there to be told: its status is nobody's then.
				grep -q 'no such VM' $dir/$1.wait && st=gone-before-wait
				cat $dir/$1.wait >>$dir/$1.err
			else
				st=start-failed
			fi
		else
			vmm run -c $dir/$1.conf </dev/null >/dev/null 2>>$dir/$1.err
			st=$?
		fi
		echo "$1 $st" >>$dir/statuses
		runs=$((runs + 1))
	done
}

# Random commands; those that must answer at once get 10 s to do so.
client() {
	sent=0
	while [ "$(now)" -lt $end ]; do
		n=s$((RANDOM % 5))
		case $((RANDOM % 8)) in
		0) cmd="list" ;;
		1) cmd="status $n" ;;
		2) cmd="pause $n" ;;
		3) cmd="resume $n" ;;
		4) cmd="stop $n --timeout 1" ;;
		5) cmd="kill $n" ;;
		6) cmd="wait $n" ;;
		*) cmd="console $n" ;;
		esac
		case $cmd in
		wait*) timeout 3 vmm $cmd >/dev/null 2>&1 ;;
		console*) timeout 2 vmm $cmd </dev/null >/dev/null 2>&1 ;;
		*)
			timeout 10 vmm $cmd >/dev/null 2>&1
			[ $? -eq 124 ] && echo "vmm $cmd" >>$dir/hung
			;;
		esac
		sent=$((sent + 1))
		echo "$sent" >$dir/sent.$1
		sleep 0.0$((RANDOM % 10))
	done
}

while read -r name guest reboot detach allowed; do
	runner "$name" "$detach" &
done <$dir/vms
for c in 1 2 3; do client $c & done
sleep "$SOAK_SECONDS"
# The end: whatever still runs is killed; the runners see it end.
i=0
while [ $i -lt 30 ]; do
	for n in s0 s1 s2 s3 s4; do vmm kill $n >/dev/null 2>&1; done
	[ -z "$(jobs -p)" ] && break
	sleep 1
	i=$((i + 1))
done
wait

bad=0
while read -r name st; do
	allowed=$(awk -v n="$name" '$1 == n { $1 = $2 = $3 = $4 = ""; print }' $dir/vms)
	case " $allowed " in
	*" $st "*) ;;
	*)
		bad=$((bad + 1))
		echo "# $name ended with $st (allowed:$allowed)"
		tail -n 3 $dir/$name.err 2>/dev/null | sed 's/^/#   /'
		;;
	esac
done <$dir/statuses
runs=$(wc -l <$dir/statuses)
sent=$(cat $dir/sent.* | awk '{ s += $1 } END { print s }')
echo "# soak: 5 VMs, ${SOAK_SECONDS} s, $runs runs, $sent client commands, statuses: $(awk '{ print $2 }' $dir/statuses | sort | uniq -c | tr -s ' \n' ' ')"
check "every run ended with a status its guest and commands allow ($runs runs, $bad not)" [ $bad -eq 0 ]
check "no command that must answer hung ($sent sent)" [ ! -s $dir/hung ]
[ -s $dir/hung ] && sed 's/^/# hung: /' $dir/hung
sleep 0.5
check "no vmm process is left" sh -c '! cat /proc/[0-9]*/stat 2>/dev/null | grep -q "(vmm) [^Z]"'
check "no socket or lock file is left" sh -c "! ls $run | grep -q '\.sock\|\.lock'"
check "the VMs were driven ($sent commands from 3 clients, $runs runs)" [ "$runs" -ge 5 ]
done_testing
