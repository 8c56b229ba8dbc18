# cpu: h=true
# timeout: 300
# The console: output to a file, the terminal restored on every exit, and
# --reboot booting again after a guest reset, the UART's bytes batched
# under KVM with nothing lost.
. /tests/lib.sh
plan 10
vmm run --kernel /firmware/hello-s.elf --console file:/tmp/console.log </dev/null >/tmp/stdout.txt 2>&1
check "--console file: guest output goes to the file" grep -q 'hello from vmm firmware: S-mode, hart 0, uart' /tmp/console.log
check "--console file: nothing on stdout" [ ! -s /tmp/stdout.txt ]
# /dev/console is a terminal: vmm puts it in raw mode while the guest runs.
if [ -t 0 ]; then pass "the test's stdin is a terminal"; else fail "the test's stdin is a terminal"; fi
before=$(stty -g)
vmm run --kernel /firmware/hello-s.elf >/dev/null 2>&1
check "terminal settings restored after the guest powers off" [ "$(stty -g)" = "$before" ]
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --cmdline "console=ttyS0 quiet" </dev/console >/tmp/shell.out 2>&1 &
pid=$!
i=0
while ! grep -q 'vmm demo guest' /tmp/shell.out && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
raw=$(stty -g)
kill -TERM $pid
wait $pid
status=$?
check "terminal was raw while the guest ran" [ "$raw" != "$before" ]
check "terminal settings restored after SIGTERM (vmm exit status $status)" [ "$(stty -g)" = "$before" ]
# --reboot: a guest that resets is booted again.
vmm run --reboot --kernel /guest/Image --initrd /guest/guest.cpio \
	--cmdline "console=ttyS0 quiet vmm.guest=reset" </dev/null >/tmp/reboot.out 2>&1 &
pid=$!
i=0
while [ "$(grep -c 'guest-reset' /tmp/reboot.out)" -lt 2 ] && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
alive=no
kill -0 $pid 2>/dev/null && alive=yes
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
check "--reboot: the guest booted again after its reset" [ "$(grep -c 'guest-reset' /tmp/reboot.out)" -ge 2 ]
check "--reboot: vmm kept running across the reset" [ $alive = yes ]
# KVM's coalesced MMIO: transmitted bytes without an exit each, all of
# them there in the end (the boot log, then the kernel log twice).
vmm run --kernel /guest/Image --initrd /guest/guest.cpio --log-level debug \
	--cmdline "console=ttyS0 vmm.guest=script:console-bench" </dev/null 2>&1 | tr -d '\r' >/tmp/batch.out
batched=$(sed -n 's/.*kvm: \([0-9]*\) batched writes delivered.*/\1/p' /tmp/batch.out)
check "the console's bytes come batched ($batched without an exit), none lost: the boot log, the kernel log twice, the last line" \
	sh -c "[ ${batched:-0} -gt 5000 ] && [ \$(grep -c 'Linux version' /tmp/batch.out) -eq 3 ] && grep -q '^console-bench: done$' /tmp/batch.out"
# And the line status it reads before each byte of its boot log, until
# its tty opens, comes from the UART's register page: no exit either
# (about 13000 MMIO exits to vmm in this run without the page).
exits=$(sed -n 's/.*kvm: \([0-9]*\) MMIO exits served.*/\1/p' /tmp/batch.out)
check "the boot log's line status reads from the register page: $exits MMIO exits to vmm for $batched bytes" \
	sh -c "grep -q '^vmm: .*uart: its registers read without an exit' /tmp/batch.out && [ \$((${exits:-0} * 2)) -lt ${batched:-0} ]"
done_testing
