# cpu: h=true
# timeout: 400
# Every file in configs/ works as shipped; bad files are refused early.
. /tests/lib.sh
plan $(( $(ls /configs/*.conf | wc -l) + 10 ))
dd if=/dev/zero of=/configs/scratch.img bs=1M count=16 2>/dev/null
for c in /configs/*.conf; do
	vmm check -c "$c" >/tmp/check.out 2>&1
	check "vmm check -c $c: ok" grep -q '^ok: ' /tmp/check.out
done
vmm run -c /configs/hello.conf </dev/null >/tmp/hello.out 2>&1
status=$?
check "hello.conf runs (exit $status)" grep -q 'hello from vmm firmware: S-mode, hart 0, uart' /tmp/hello.out
[ $status -eq 0 ] || show /tmp/hello.out
# A shell guest: answer its prompt once it is there.
shell_vm() { # config out
	rm -f /tmp/in && mkfifo /tmp/in
	exec 3<>/tmp/in # never blocks, even if vmm fails to start
	vmm run -c "$1" </tmp/in >"$2" 2>&1 &
	pid=$!
	i=0
	while ! grep -q 'vmm demo guest' "$2" "${3:-/dev/null}" 2>/dev/null && [ $i -lt 600 ] &&
		kill -0 $pid 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
	echo "poweroff -f" >&3
	exec 3>&-
	wait $pid
}
shell_vm /configs/linux.conf /tmp/linux.out
status=$?
check "linux.conf boots to the shell and powers off (exit $status)" sh -c "[ $status -eq 0 ] && grep -q 'vmm demo guest' /tmp/linux.out"
# Its console is a file, so no input: vmm stop ends it.
vmm run -c /configs/linux-disk.conf </dev/null >/tmp/disk.out 2>&1 &
pid=$!
i=0
while ! grep -q 'vmm demo guest' /configs/linux-disk.console 2>/dev/null && [ $i -lt 600 ] &&
	kill -0 $pid 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
check "linux-disk.conf: the console went to the file next to the config" grep -q 'vmm demo guest' /configs/linux-disk.console
vmm stop linux-disk --timeout 60 >/tmp/stop.out 2>&1
status=$?
wait $pid
check "linux-disk.conf: vmm stop powers it off (exit $status)" [ $status -eq 0 ]
[ $status -eq 0 ] || { show /tmp/stop.out; show /tmp/disk.out; show /configs/linux-disk.console; }
# Flags override the file.
vmm check -c /configs/linux.conf --cpus 3 --memory 64M >/tmp/o.out 2>&1
check "--cpus and --memory override the file" grep -q '^ok: /guest/Image, 3 vCPUs, 64 MiB, 0 disks$' /tmp/o.out
vmm check -c /configs/linux-disk.conf --disk /configs/scratch.img --disk /configs/scratch.img,readonly=on >/tmp/o.out 2>&1
check "--disk replaces the file's disks" grep -q ', 2 disks$' /tmp/o.out
# Bad files: FILE:LINE: message, exit 64, nothing started.
printf '[vm]\ncpus = 2\nmemory = 12Q\n[kernel]\npath = /guest/Image\n' >/tmp/bad.conf
vmm run -c /tmp/bad.conf </dev/null >/tmp/bad.out 2>&1
status=$?
check "a bad value: exit 64 ($status)" [ $status -eq 64 ]
check "... naming file, line and key" grep -q '^vmm: /tmp/bad.conf:3: memory = 12Q: not a size like 256M or 1G$' /tmp/bad.out
printf '[kernel]\npath = /guest/Image\n[kernel]\n' >/tmp/dup.conf
vmm check -c /tmp/dup.conf >/tmp/dup.out 2>&1
check "a duplicate section: '$(cat /tmp/dup.out)'" grep -q '^vmm: /tmp/dup.conf:3: duplicate section \[kernel\]$' /tmp/dup.out
vmm check -c /nonexistent.conf >/tmp/nf.out 2>&1
check "a missing config file: '$(cat /tmp/nf.out)'" grep -q '^vmm: /nonexistent.conf: No such file or directory$' /tmp/nf.out
done_testing
