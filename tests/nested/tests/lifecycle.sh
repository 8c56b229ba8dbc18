# cpu: h=true
# timeout: 600
# The lifecycle as a user scripts it: two detached VMs from configs.
. /tests/lib.sh
plan 25
run=/run/vmm
vmm run -c /configs/clock.conf --name alpha --detach >/tmp/alpha.start 2>&1
check "vmm run --detach returns once alpha runs (exit $?)" grep -qx alpha /tmp/alpha.start
vmm run -c /configs/clock.conf --name beta --detach >/tmp/beta.start 2>&1
check "beta too" grep -qx beta /tmp/beta.start
check "the sockets are 0600 in a 0700 directory" sh -c "[ \"\$(stat -c %a $run)\" = 700 ] && [ \"\$(stat -c %a $run/alpha.sock)\" = 600 ]"
vmm list --json >/tmp/list.json
check "list --json shows alpha running" grep -q '"name":"alpha",.*"state":"running","backend":"kvm","cpus":1' /tmp/list.json
check "list --json shows beta running" grep -q '"name":"beta",.*"state":"running"' /tmp/list.json
vmm list >/tmp/list.txt
check "list prints a table" grep -q '^alpha .*running *kvm *1 *128M' /tmp/list.txt
# Guest clocks: the last value each console shows.
clock() { grep -a '^guest-clock:' "$run/$1.console" | tail -n 1 | tr -d '\r' | awk '{ print $2 }'; }
i=0
while [ -z "$(clock alpha)" ] || [ -z "$(clock beta)" ]; do
	sleep 0.5; i=$((i + 1)); [ $i -lt 240 ] || break
done
vmm pause alpha
check "pause alpha (exit $?)" true
vmm status alpha --json >/tmp/st.json
check "status says paused" grep -q '"state":"paused"' /tmp/st.json
# exits: what KVM counted for alpha's one vCPU (vmm stats)
exits() { stats_sum alpha exits; }
e0=$(exits)
a0=$(clock alpha); b0=$(clock beta)
sleep 4
a1=$(clock alpha); b1=$(clock beta)
e1=$(exits)
check "stats while paused: its exits stand still ($e0, then $e1)" sh -c "[ -n '$e0' ] && [ '$e0' = '$e1' ] && [ '$e0' -gt 0 ]"
vmm resume alpha
check "resume alpha (exit $?)" true
sleep 3
a2=$(clock alpha)
echo "# alpha clock: $a0 -> $a1 (paused) -> $a2; beta: $b0 -> $b1"
check "paused alpha's clock stood still while beta's moved 4 s" \
	awk -v a0="$a0" -v a1="$a1" -v b0="$b0" -v b1="$b1" 'BEGIN { exit !(a1 - a0 < 0.5 && b1 - b0 > 3) }'
check "resumed alpha's clock runs on without a jump" \
	awk -v a1="$a1" -v a2="$a2" 'BEGIN { exit !(a2 - a1 > 1 && a2 - a1 < 4.5) }'
e2=$(exits)
check "stats once resumed: the exits count on ($e1, then $e2)" sh -c "[ -n '$e2' ] && [ '$e2' -gt '$e1' ]"
vmm stats alpha --json >/tmp/stats.json
check "stats --json: one object, KVM's counters by vCPU" grep -q '^{"vcpu0\.[a-z_]*":[0-9]*,.*"vcpu0\.mmio_exit_user":[0-9]*' /tmp/stats.json
vmm stats >/tmp/stats.err 2>&1
st=$?
check "stats without a name: usage error 64 ($st)" sh -c "[ $st -eq 64 ] && grep -q 'stats takes one VM name' /tmp/stats.err"
# Graceful stop and kill, each with a waiter.
vmm wait alpha >/dev/null 2>&1 &
wa=$!
vmm wait beta >/dev/null 2>&1 &
wb=$!
sleep 0.5
vmm stop alpha --timeout 60
check "stop alpha: the guest powered off (exit $?)" [ $? -eq 0 ]
check "alpha's guest ran its poweroff path" grep -aq 'reboot: Power down' $run/alpha.console
vmm kill beta
check "kill beta (exit $?)" true
wait $wa
check "wait alpha returned 0" [ $? -eq 0 ]
wait $wb
status=$?
check "wait beta returned 67, killed ($status)" [ $status -eq 67 ]
sleep 0.5
check "no socket left behind" sh -c "! ls $run/*.sock 2>/dev/null"
vmm status alpha >/tmp/gone.out 2>&1
status=$?
check "status of a VM that is gone: exit 71, '$(cat /tmp/gone.out)'" sh -c "[ $status -eq 71 ] && grep -q '^vmm: alpha: no such VM$' /tmp/gone.out"
# A guest that ignores the request is killed when the timeout runs out.
vmm run --kernel /firmware/spin-s.elf --name spin --detach >/dev/null 2>&1
check "the spinning guest runs" sh -c 'vmm status spin >/dev/null'
vmm stop spin --timeout 2
status=$?
check "stop of a guest that ignores it: killed after the timeout (exit $status)" [ $status -eq 67 ]
check "... and the VM said why" grep -q 'did not power off within 2 s: killing it' $run/spin.log
done_testing
