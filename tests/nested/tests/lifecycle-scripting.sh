# cpu: h=true
# timeout: 300
# The lifecycle under scripting, where it used to break: a guest that
# resets itself every 100 ms under --reboot (firmware/reset.c) while pause,
# resume, stop and kill come at any moment; peers that go away; two runs
# racing for one name; idle clients; an unsafe runtime directory.
. /tests/lib.sh
plan 17
run=/run/vmm
boots() { grep -ac 'reset: boot' "$run/$1.console" 2>/dev/null || echo 0; }
until_boots() { # NAME N: wait (up to 60 s) for the Nth boot
	i=0
	while [ "$(boots "$1")" -lt "$2" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
vm_pid() { vmm status "$1" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p'; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
ms() { echo $(($(cut -d' ' -f1 /proc/uptime | tr -d .) * 10)); }

# Memory: a reboot zeroes guest RAM without committing it, so vmm's RSS
# (guest RAM the guest touched included) after 20 resets is what it was
# after the first, and nowhere near the 256 MiB of RAM.
vmm run --kernel /firmware/reset-s.elf --reboot --memory 256M --name rs --detach >/dev/null
until_boots rs 2
rss1=$(rss "$(vm_pid rs)")
until_boots rs 22
rss20=$(rss "$(vm_pid rs)")
check "a guest that resets itself is booted again 20 times ($(boots rs) boots)" [ "$(boots rs)" -ge 22 ]
check "... and vmm's memory after 20 resets stays within 10% of what it was after the first ($rss1 KiB, then $rss20 KiB; RAM 262144 KiB)" \
	sh -c "[ $rss20 -le $((rss1 * 11 / 10)) ] && [ $rss20 -le 26214 ]"

# Pause and resume at any moment, a reboot gap included: each is answered
# (ok, or that the guest is rebooting) and vmm lives on.
bad=0
for i in $(seq 40); do
	vmm pause rs >/tmp/p.out 2>&1 || grep -q 'rebooting' /tmp/p.out || { bad=$((bad + 1)); sed 's/^/# pause: /' /tmp/p.out; }
	vmm resume rs >/tmp/r.out 2>&1 || { bad=$((bad + 1)); sed 's/^/# resume: /' /tmp/r.out; }
done
check "40 pauses and resumes across reboots: each answered ($bad not)" [ $bad -eq 0 ]
# (it resets every 100 ms: between two boots it says exiting for a moment)
check "... and the VM still runs" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do
	vmm status rs | grep -q state=running && exit 0; sleep 0.1; done; exit 1'

# A stop the guest answers with a reset (it never reads its console) is
# not lost: the VM ends at that reset rather than booting again.
start=$(ms)
timeout 20 vmm stop rs --timeout 10
status=$?
check "vmm stop of a guest that resets: it ends at the reset, status 65 ($status, $(($(ms) - start)) ms)" [ $status -eq 65 ]

# Kill at any moment: no kill is lost in a reboot gap, each ends the VM
# within a second.
slow=0
lost=0
for d in 0 0.05 0.1 0.15 0.2 0.25 0.3 0.35; do
	rm -f $run/rk.console
	vmm run --kernel /firmware/reset-s.elf --reboot --name rk --detach >/dev/null
	until_boots rk 2
	sleep $d
	vmm wait rk >/dev/null 2>&1 &
	waiter=$!
	start=$(ms)
	vmm kill rk >/dev/null
	wait $waiter
	status=$?
	[ $status -eq 67 ] || lost=$((lost + 1))
	[ $(($(ms) - start)) -le 1000 ] || slow=$((slow + 1))
	sleep 0.3
done
check "8 kills at moments across the reboot cycle: every one ends the VM, status 67 ($lost not)" [ $lost -eq 0 ]
check "... each within a second ($slow took longer)" [ $slow -eq 0 ]

# A vmm wait client that goes away before the VM ends: vmm lives on to
# answer the other waiter, and leaves no socket behind.
vmm run --kernel /firmware/spin-s.elf --name sp --detach >/dev/null
vmm wait sp >/dev/null 2>&1 &
w1=$!
vmm wait sp >/dev/null 2>&1 &
w2=$!
sleep 0.5
kill $w1
sleep 0.3
vmm kill sp >/dev/null
wait $w2
status=$?
check "a waiter killed before the end: the other still gets the VM's status (67: $status)" [ $status -eq 67 ]
sleep 0.5
check "... and no socket is left" [ ! -e $run/sp.sock ]

# A guest console piped into a reader that stops reading: vmm runs on to
# the guest's own exit status.
(
	vmm run --kernel /firmware/hello-s.elf --name pp
	echo $? >/tmp/pp.status
) | head -c 1 >/dev/null
sleep 0.5
check "stdout piped into a reader that went away: vmm exits with the guest's status (0: $(cat /tmp/pp.status))" [ "$(cat /tmp/pp.status)" = 0 ]
check "... and no socket is left" [ ! -e $run/pp.sock ]

# Two vmm run --name twin at once, 10 times: one VM and one clear error
# each time, never two VMs or a VM without its socket.
bad=0
for i in $(seq 10); do
	vmm run --kernel /firmware/spin-s.elf --name twin --detach >/tmp/t1.out 2>&1 &
	a=$!
	vmm run --kernel /firmware/spin-s.elf --name twin --detach >/tmp/t2.out 2>&1 &
	b=$!
	wait $a
	sa=$?
	wait $b
	sb=$?
	ok=$(( (sa == 0) + (sb == 0) ))
	err=$(cat /tmp/t1.out /tmp/t2.out | grep -c 'a VM named twin is already running')
	vmm status twin >/dev/null 2>&1 || ok=0
	[ $ok -eq 1 ] && [ "$err" -eq 1 ] || { bad=$((bad + 1)); cat /tmp/t1.out /tmp/t2.out | sed 's/^/# /'; }
	vmm kill twin >/dev/null 2>&1
	i=0
	while [ -e $run/twin.sock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
done
check "two runs of one name at once, 10 times: one VM and one 'already running' each time ($bad not)" [ $bad -eq 0 ]

# Idle clients that connect and say nothing delay nobody else.
vmm run --kernel /firmware/spin-s.elf --name busy --detach >/dev/null
start=$(ms)
vmm status busy >/dev/null
alone=$(($(ms) - start))
for i in 1 2 3; do sockhold $run/busy.sock 8 & done
sleep 0.5
start=$(ms)
vmm list >/tmp/list.out
beside=$(($(ms) - start))
check "three idle clients hold connections: vmm list still answers at once ($beside ms, vmm status alone $alone ms)" \
	sh -c "grep -q '^busy ' /tmp/list.out && [ $beside -le $((alone + 100)) ]"
vmm kill busy >/dev/null
wait

# A runtime directory inside one that other users can change is refused.
mkdir -p /tmp/open && chmod 0777 /tmp/open
VMM_RUNTIME_DIR=/tmp/open/vmm vmm run --kernel /firmware/hello-s.elf --name o >/tmp/open.out 2>&1
status=$?
check "VMM_RUNTIME_DIR under a directory open to all: refused, exit 70 ($status)" \
	sh -c "[ $status -eq 70 ] && grep -q '/tmp/open is open to other users' /tmp/open.out"
mkdir -p /tmp/safe && chmod 0755 /tmp/safe
VMM_RUNTIME_DIR=/tmp/safe/vmm vmm run --kernel /firmware/hello-s.elf --name s >/dev/null 2>&1
check "... under one only root can change: it runs (exit $?)" [ $? -eq 0 ]
sleep 0.5
check "no vmm process is left" sh -c '! cat /proc/[0-9]*/stat 2>/dev/null | grep -q "(vmm) [^Z]"'
check "... and no socket or lock file" sh -c "! ls $run | grep -q '\.sock\|\.lock'"
done_testing
