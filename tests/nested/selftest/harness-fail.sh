# cpu: h=true
# timeout: 60
# Must fail: proves the harness reports a failing check (tests/harness-selftest.sh).
. /tests/lib.sh
plan 2
pass "a check that passes"
echo "harness-selftest: this line must appear in the failure report"
fail "a check that fails on purpose"
done_testing
