# cpu: h=true
# timeout: 600
. /tests/lib.sh
plan 1
for r in 1 2 3 4 5 6; do
	timeout 20 vmm run --log-level debug --kernel /firmware/first.bin </dev/null >/tmp/s.out 2>&1
	[ $r -ge 4 ] && sed 's/^/# /' /tmp/s.out | head -40
done
pass done
done_testing
