#!/bin/sh
# tools/clockprobe on this machine (a real VM, so a real trace):
#  - the README's build command (a plain `cc -O2 -pthread`) works;
#  - bad options exit 2 with the usage line;
#  - a 2 s run with all clocks on all CPUs writes a trace whose structure
#    clockprobe_check.py accepts (header, order, seq per vCPU, every clock);
#  - its lines match docs/trace.schema.json;
#  - when this sim has `sim judge`, the trace is judged and the verdict shown:
#    0 or 1 is the machine's verdict, 2 (the trace refused) fails the test.
# Usage: clockprobe.sh CLOCKPROBE SIM PYTHON3 CHECKER SOURCE
set -u
probe=$1
sim=$2
python=$3
check=$4
src=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

if command -v cc >/dev/null 2>&1; then
	cc -O2 -pthread -o "$tmp/clockprobe-cc" "$src" || fail "cc -O2 -pthread clockprobe.c"
else
	echo "clockprobe: no cc on PATH: the README's build command not tried"
fi

for args in "--bogus" "--duration" "--duration 0" "--duration 1.2345" "--clocks nosuch" \
	"--clocks monotonic,monotonic" "--cpus 1-0" "--cpus 99999" "--reads 0" \
	"--reads 100000001" "--rate x" "stray"; do
	# shellcheck disable=SC2086  # word splitting is the point
	"$probe" $args >/dev/null 2>"$tmp/err"
	status=$?
	[ $status -eq 2 ] || fail "clockprobe $args: exit $status, expected 2"
	grep -q '^usage: clockprobe' "$tmp/err" || fail "clockprobe $args: no usage line"
done

"$probe" --duration 2 --rate 5000 --out "$tmp/trace.jsonl" 2>"$tmp/err"
status=$?
cat "$tmp/err"
[ $status -eq 0 ] || fail "clockprobe --duration 2: exit $status"
clocks="CLOCK_MONOTONIC CLOCK_MONOTONIC_RAW CLOCK_REALTIME CLOCK_BOOTTIME"
case $(uname -m) in x86_64 | i?86) clocks="$clocks tsc" ;; esac
# shellcheck disable=SC2086  # a list of names
"$python" "$check" "$tmp/trace.jsonl" $clocks || fail "the trace's structure"

# --reads caps the count exactly; --cpus picks the CPUs
first=$(awk '/^Cpus_allowed_list/ { split($2, a, /[-,]/); print a[1] }' /proc/self/status)
"$probe" --duration 5 --reads 300 --cpus "${first:-0}" --clocks monotonic,boottime --out "$tmp/few.jsonl" \
	2>/dev/null || fail "clockprobe --reads 300"
[ "$(wc -l <"$tmp/few.jsonl")" -eq 301 ] || fail "--reads 300: $(wc -l <"$tmp/few.jsonl") lines"
"$python" "$check" "$tmp/few.jsonl" CLOCK_MONOTONIC CLOCK_BOOTTIME >/dev/null ||
	fail "the --reads 300 trace's structure"

# the lines against docs/trace.schema.json (the first 3000 of the 2 s trace)
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 "$(dirname "$check")/trace_validate.py" "$(dirname "$check")/../docs/trace.schema.json" \
		3000 "$tmp/trace.jsonl" "$tmp/few.jsonl"
	status=$?
	[ $status -eq 0 ] || [ $status -eq 77 ] || fail "the trace does not match docs/trace.schema.json"
fi

if "$sim" --help 2>/dev/null | grep -q '^  judge '; then
	"$sim" judge "$tmp/trace.jsonl" >"$tmp/verdict" 2>&1
	status=$?
	echo "sim judge on this machine's trace: exit $status"
	cat "$tmp/verdict"
	[ $status -le 1 ] || fail "sim judge refused the trace (exit $status)"
else
	echo "clockprobe: this sim has no 'judge' command yet: structure checked only"
fi

[ $fails -eq 0 ] && echo "clockprobe: ok"
[ $fails -eq 0 ]
