# cpu: h=true
# timeout: 300
# vmm console: attach to a detached VM, see its recent output, type into it.
. /tests/lib.sh
plan 6
vmm run -c /configs/linux.conf --name shell --detach --console socket >/dev/null 2>&1
check "a detached VM with --console socket" test -S /run/vmm/shell.sock
vmm wait shell >/tmp/wait.out 2>&1 &
waiter=$!
wait_for() { # pattern file
	i=0
	while ! grep -aq "$1" "$2" && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	grep -aq "$1" "$2"
}
rm -f /tmp/in1 && mkfifo /tmp/in1
exec 3<>/tmp/in1
vmm console shell </tmp/in1 >/tmp/s1.out 2>&1 &
s1=$!
check "the first session sees the guest's banner from before it attached" wait_for 'vmm demo guest' /tmp/s1.out
sleep 30 # idle for long: longer than any request timeout (5 s)
echo 'echo attach-$((6*7))' >&3
check "what the session types after 30 s idle reaches the guest's shell" wait_for 'attach-42' /tmp/s1.out
kill $s1; wait $s1 2>/dev/null
exec 3>&-
rm -f /tmp/in2 && mkfifo /tmp/in2
exec 4<>/tmp/in2
vmm console shell </tmp/in2 >/tmp/s2.out 2>&1 &
s2=$!
check "a second session gets the recent output, the first session's too" wait_for 'attach-42' /tmp/s2.out
echo 'poweroff -f' >&4
wait $s2
check "the session ends when the VM does (exit $?)" true
wait $waiter
check "vmm wait: the guest powered off (exit $?)" [ $? -eq 0 ]
exec 4>&-
done_testing
