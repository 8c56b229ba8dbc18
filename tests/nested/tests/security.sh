# cpu: h=true
# timeout: 300
# The control socket serves its owner (and root) only, and vmm refuses
# runtime directories and socket paths it cannot trust or use.
. /tests/lib.sh
plan 11
vmm run -c /configs/clock.conf --name secret --detach >/dev/null 2>&1
check "root's VM is up" test -S /run/vmm/secret.sock
runas 1000 vmm status secret >/tmp/u.out 2>&1
status=$?
check "uid 1000 without a runtime dir of its own: exit 71, '$(cat /tmp/u.out)'" sh -c "[ $status -eq 71 ] && grep -q 'set XDG_RUNTIME_DIR' /tmp/u.out"
VMM_RUNTIME_DIR=/run/vmm runas 1000 vmm status secret >/tmp/u.out 2>&1
status=$?
check "uid 1000 pointed at root's directory: refused ($status), '$(cat /tmp/u.out)'" sh -c "[ $status -eq 71 ] && grep -q 'must be a directory owned by uid 1000' /tmp/u.out"
runas 1000 --connect /run/vmm/secret.sock status >/tmp/u.out 2>&1
check "uid 1000 cannot even reach the socket: '$(cat /tmp/u.out)'" grep -q 'Permission denied' /tmp/u.out
# Open the directory and the socket up by hand: SO_PEERCRED still refuses.
chmod 0711 /run/vmm
chmod 0666 /run/vmm/secret.sock
runas 1000 --connect /run/vmm/secret.sock status >/tmp/u.out 2>&1
check "with the file modes opened, the VM itself refuses uid 1000: '$(cat /tmp/u.out)'" grep -q '^error permission denied' /tmp/u.out
vmm status secret >/dev/null 2>&1
check "root is still served ... once the directory is 0700 again" sh -c "chmod 0700 /run/vmm && vmm status secret >/dev/null"
# Runtime directories vmm must not use.
mkdir -p /tmp/rd && chmod 0755 /tmp/rd
VMM_RUNTIME_DIR=/tmp/rd vmm run -c /configs/hello.conf </dev/null >/tmp/rd.out 2>&1
status=$?
check "a 0755 runtime directory: exit 70, '$(cat /tmp/rd.out)'" sh -c "[ $status -eq 70 ] && grep -q '^vmm: runtime directory /tmp/rd: must be a directory owned by uid 0 with mode 0700 (it is a directory, uid 0, mode 0755)$' /tmp/rd.out"
long=/tmp/$(printf 'd%.0s' $(seq 1 100))
mkdir -p -m 0700 "$long"
VMM_RUNTIME_DIR=$long vmm run -c /configs/hello.conf </dev/null >/tmp/long.out 2>&1
status=$?
check "a socket path over 107 bytes: exit 70, clear error" sh -c "[ $status -eq 70 ] && grep -q 'path longer than 107 bytes' /tmp/long.out"
# A user with no runtime directory can still run an unnamed VM.
chmod 0666 /dev/kvm
runas 1000 vmm run --kernel /firmware/hello-s.elf </dev/null >/tmp/u.out 2>/tmp/u.err
status=$?
check "uid 1000 without a runtime directory runs an unnamed VM (exit $status)" [ $status -eq 0 ]
check "... with a warning that it has no lifecycle commands" grep -q 'set XDG_RUNTIME_DIR (or VMM_RUNTIME_DIR): no lifecycle commands for this VM' /tmp/u.err
vmm kill secret
check "cleanup: kill (exit $?)" true
done_testing
