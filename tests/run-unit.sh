#!/bin/sh
# Run the native unit-test binaries with cmocka's TAP output. A binary that
# dies (a sanitizer report, a crash) adds a failing line of its own.
status=0
for t in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s/^\(\(not \)\{0,1\}ok [0-9]* -\) /\1 $(basename "$t"): /"
	if [ $rc -ne 0 ]; then
		status=1
		printf '%s\n' "$out" | grep -q '^not ok' ||
			echo "not ok - $(basename "$t"): exited with status $rc"
	fi
done
exit $status
