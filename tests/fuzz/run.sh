#!/bin/sh
# Run the fuzz target for SECONDS (default 20) and report as TAP with the
# executions libFuzzer made. Findings are left in build/fuzz/crash-*.
seconds=${1:-20}
bin=build/fuzz/fuzz_virtq
mkdir -p build/fuzz/corpus
[ -x "$bin" ] || { echo "not ok - fuzz: $bin missing (needs clang with libFuzzer: contrib/deps.sh)"; exit 1; }
"$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix=build/fuzz/ \
	build/fuzz/corpus tests/fuzz/seeds >build/fuzz/run.log 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/run.log)
if [ $rc -eq 0 ]; then
	echo "ok - fuzz: virtqueue walker and blk requests, ${runs:-?} executions in ${seconds}s, no finding"
else
	echo "not ok - fuzz: virtqueue walker and blk requests: finding after ${runs:-?} executions (build/fuzz/run.log)"
	grep -E 'ERROR|SUMMARY|artifact' build/fuzz/run.log | head -n 10 | sed 's/^/#   /'
	exit 1
fi
