# cpu: h=true
# timeout: 20
# Must time out: proves the harness ends a hanging test and reports it.
. /tests/lib.sh
plan 1
echo "harness-selftest: hanging now"
sleep 1000
