#!/bin/sh
# House rules the compiler cannot check (STYLE.md checklist items 4 and 6):
# only the scenario loader includes cJSON; the simulation core has no wall
# clock, no libc randomness and no floating point.
set -eu
cd "$1"
status=0
core="sim/core sim/cpu-tsc sim/kvm sim/guest sim/machine oracle"
if grep -rn 'cJSON' $core --include='*.[ch]'; then
	echo "FAIL: cJSON used outside sim/scenario" >&2
	status=1
fi
if grep -rnE '\b(time|clock_gettime|gettimeofday|rand|srand|random)\s*\(' $core --include='*.[ch]'; then
	echo "FAIL: wall clock or libc randomness in the simulation core" >&2
	status=1
fi
if grep -rnE '\b(float|double)\b' $core --include='*.[ch]'; then
	echo "FAIL: floating point in the simulation core" >&2
	status=1
fi
[ $status -eq 0 ] && echo "lint: ok"
exit $status
