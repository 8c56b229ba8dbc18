# Sourced by every nested test script: TAP helpers.
# Scripts call plan N first, then one ok/not_ok per check.
n=0
failures=0
plan() { echo "1..$1"; }
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# expect_status N DESCRIPTION COMMAND...: passes when COMMAND exits N.
expect_status() {
	want=$1 desc=$2
	shift 2
	"$@"
	got=$?
	if [ "$got" -eq "$want" ]; then pass "$desc"; else fail "$desc (exit status $got, want $want)"; fi
}
# show FILE: the file's last lines as TAP comments (for a failure's reason).
show() { tail -n "${2:-15}" "$1" | sed 's/^/# /'; }
done_testing() { exit $((failures > 0)); }
