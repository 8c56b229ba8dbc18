# bench/console's guest: the kernel's log twice through the console's
# tty (after its boot log went out through the kernel's console), a last
# line, then power off.
dmesg
dmesg
echo "console-bench: done"
