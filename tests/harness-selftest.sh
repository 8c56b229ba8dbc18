#!/bin/sh
# The nested harness must fail a test that fails and one that hangs, and
# show the guest's last console lines for each. Prints TAP.
out=build/check/harness-selftest.out
mkdir -p build/check
NESTED_LOGS=build/nested/logs-selftest sh tests/nested/run \
	tests/nested/selftest/harness-fail.sh tests/nested/selftest/harness-hang.sh >"$out" 2>&1
rc=$?
t() { if eval "$2"; then echo "ok - harness: $1"; else echo "not ok - harness: $1"; sed 's/^/#   /' "$out"; fi; }
t "exits non-zero when a nested test fails" '[ $rc -ne 0 ]'
t "reports the failing check" 'grep -q "^not ok - harness-fail: a check that fails on purpose" "$out"'
t "shows the failing test's last console lines" 'grep -q "#.*this line must appear in the failure report" "$out"'
t "reports a hanging test as timed out" 'grep -q "^not ok - harness-hang: timed out after 20s" "$out"'
t "shows the hanging test's last console lines" 'grep -q "#.*harness-selftest: hanging now" "$out"'
