#!/bin/sh
# House rules the compiler cannot check (STYLE.md checklist items 4 and 6):
# only the scenario loader includes cJSON; the simulation core has no wall
# clock, no libc randomness and no floating point.  Comments and string
# literals are stripped first, so prose may mention them.
set -eu
cd "$1"
status=0
core="sim/core sim/cpu-tsc sim/devices sim/linux sim/kvm sim/guest sim/machine oracle sim/judge"
core="$core sim/import"
files=$(find $core -name '*.[ch]' | sort)
code() {
	perl -0777 -pe 's{/\*.*?\*/}{ }gs; s{"(?:\\.|[^"\\])*"}{""}g' "$1"
}
for f in $files; do
	c=$(code "$f")
	if printf '%s\n' "$c" | grep -nE 'cJSON|cjson' >/dev/null; then
		echo "FAIL: $f: cJSON used outside sim/scenario" >&2
		status=1
	fi
	if printf '%s\n' "$c" | grep -nE '\b(time|clock_gettime|gettimeofday|rand|srand|random)[[:space:]]*\(' >/dev/null; then
		echo "FAIL: $f: wall clock or libc randomness in the simulation core" >&2
		status=1
	fi
	if printf '%s\n' "$c" | grep -nE '\b(float|double)\b' >/dev/null; then
		echo "FAIL: $f: floating point in the simulation core" >&2
		status=1
	fi
done
[ $status -eq 0 ] && echo "lint: $(echo "$files" | wc -l) files ok"
exit $status
