#!/bin/sh
# Run each fuzz target for SECONDS (default 20) and report as TAP with the
# executions libFuzzer made. Findings are left in build/fuzz/NAME/crash-*.
seconds=${1:-20}
status=0
run() { # target seeds description
	bin=build/fuzz/$1
	out=build/fuzz/$1.d
	mkdir -p "$out/corpus"
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz: $bin missing (needs clang with libFuzzer: contrib/deps.sh)"
		status=1
		return
	fi
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/" \
		"$out/corpus" "$2" >"$out/run.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/run.log")
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz: $3, ${runs:-?} executions in ${seconds}s, no finding"
	else
		echo "not ok - fuzz: $3: finding after ${runs:-?} executions ($out/run.log)"
		grep -E 'ERROR|SUMMARY|artifact' "$out/run.log" | head -n 10 | sed 's/^/#   /'
		status=1
	fi
}
run fuzz_virtq tests/fuzz/seeds "virtqueue walker, blk requests and net frames"
run fuzz_config tests/fuzz/seeds-config "config file parser"
exit $status
