#!/bin/sh
# Count TAP results in the given files; print "N passed, N failed" and fail
# when anything failed or nothing ran.
cat "$@" | awk '
	/^ok /     { pass++ }
	/^not ok / { fail++ }
	END {
		printf "%d passed, %d failed\n", pass, fail
		exit (fail > 0 || pass == 0) ? 1 : 0
	}'
