#!/bin/sh
# After `make bench`: every figure the benchmarks reported with `result`
# (tests/nested/lib.sh) or a "# result:" line, from the nested logs, into
# build/bench/results.json, and drawn by gnuplot into
# build/bench/results.png: each figure as its ratio to the floor measured
# in the same run (a rate: value / floor; a time: floor / value, so 1 is
# the floor's speed either way), with its target where it has one.
# usage: bench/results.sh [LOG...]   (default build/nested/logs/bench-*.log.txt
# and, from the 6.12 nested host, build/nested/logs/6.12-bench-*.log.txt)
set -eu
out=build/bench
mkdir -p $out
[ $# -gt 0 ] || set -- build/nested/logs/bench-*.log.txt build/nested/logs/6.12-bench-*.log.txt
lines=$out/results.txt
cat "$@" 2>/dev/null | tr -d '\r' | sed -n 's/^# result: //p' >$lines
[ -s $lines ] || { echo "bench/results: no '# result:' lines in $*" >&2; exit 1; }
version=$(git describe --always --dirty 2>/dev/null || echo unknown)
awk -F'|' -v version="$version" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	-v dat="$out/results.dat" '
function num(s) { return s ~ /^[0-9.]+$/ ? s : "null" }
BEGIN { printf "{\n  \"vmm\": \"%s\",\n  \"date\": \"%s\",\n  \"results\": [", version, date }
{
	ratio = "null"
	if ($3 > 0 && $4 > 0)
		ratio = sprintf("%.4f", $6 == "higher" ? $3 / $4 : $4 / $3)
	printf "%s\n    {\"bench\": \"%s\", \"figure\": \"%s\", \"value\": %s, \"floor\": %s, \"unit\": \"%s\", \"better\": \"%s\", \"ratio\": %s, \"target\": %s}", \
		(NR > 1 ? "," : ""), $1, $2, num($3), num($4), $5, $6, ratio, num($7 == "-" ? "" : $7)
	if (ratio != "null")
		printf("%d\t\"%s: %s\"\t%s\t%s\n", NR - 1, $1, $2, ratio, ($7 == "-" ? "NaN" : $7)) >dat
}
END { print "\n  ]\n}" }' $lines >$out/results.json
echo "bench/results: $(wc -l <$lines) figures in $out/results.json"
if ! command -v gnuplot >/dev/null; then
	echo "bench/results: no chart: gnuplot is missing (Debian: apt install gnuplot-nox)" >&2
	exit 1
fi
n=$(wc -l <$out/results.dat)
gnuplot <<EOF
set terminal pngcairo size 1100,$((160 + 26 * n)) font ",10"
set output "$out/results.png"
set title "vmm $version: each figure against its floor, same run (1 = the floor's speed)"
set logscale x
set xrange [0.001:*]
set yrange [-1:$n]
set ytics nomirror
set grid xtics
set key outside bottom center horizontal
set style fill solid 0.6
unset colorbox
plot "$out/results.dat" using (sqrt(\$3 * 0.001)):1:(0.001):(\$3):(\$1 - 0.35):(\$1 + 0.35):ytic(2) with boxxyerror title "ratio to the floor", \
	"" using 4:1 with points pointtype 7 pointsize 1.2 title "target"
EOF
echo "bench/results: chart in $out/results.png"
