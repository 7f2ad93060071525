#!/bin/sh
# Every file that sets up a struct sim_event (an event source) must be named
# in a row of BUDGET_SOURCES (sim/machine/budget.h), so that a new source
# comes with its estimate.  And `sim run`/`sim validate --max-events`.
set -u
root="$1"
sim=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
fails=0
table="$root/sim/machine/budget.h"
cd "$root" || exit 1
for f in $(grep -rlE 'sim_event_(init|setup)\(' sim oracle --include='*.c' | grep -v '^sim/core/event.c$' | sort); do
	if ! grep -q "[\" ]$f[\" ]" "$table"; then
		echo "FAIL: $f sets up events but no row of BUDGET_SOURCES ($table) names it" >&2
		fails=$((fails + 1))
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expect() {  # status substring description command...
	want=$1 sub=$2 what=$3
	shift 3
	timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ] || ! grep -qF -- "$sub" "$tmp/out" "$tmp/err"; then
		echo "FAIL: $what: exit $got (expected $want), output:" >&2
		cat "$tmp/out" "$tmp/err" >&2
		fails=$((fails + 1))
	fi
}
lib="$root/scenarios/migrate_slow.json"
# migrate_slow: 4 + 1 readers at 1 ms over 10 s (2 x 10001 events each), 2 syncs, ...: about 100 k
expect 2 "/readers/0/period: the run would fire about" "validate --max-events 1000" \
	"$sim" validate --max-events 1000 "$lib"
expect 2 "beyond the event budget of 1000; raise it with --max-events N" "run --max-events 1000" \
	"$sim" run --max-events 1000 "$lib"
expect 0 "valid (migrate_slow)" "validate --max-events large" "$sim" validate --max-events 1000000 "$lib"
expect 0 "" "run --max-events large" "$sim" run --max-events 1000000 "$lib"
expect 2 "--max-events must be at least 1" "--max-events 0" "$sim" run --max-events 0 "$lib"
expect 2 "--max-events needs a number" "--max-events without N" "$sim" validate --max-events
expect 2 "--max-events:" "--max-events junk" "$sim" run --max-events lots "$lib"
# A hostile file runs when the limit is raised past its estimate (and is stopped by timeout here).
expect 2 "/readers/0/period" "hostile reader refused by default" \
	"$sim" run "$root/tests/hostile/budget_reader_1ns.json"
# The library stays far below the default budget (10^9): at most 10^7 each.  And the
# estimate bounds what each scenario really fires: run with the estimate as the
# limit, the runtime guard never trips.
for f in "$root"/scenarios/*.json; do
	"$sim" validate --max-events 1 "$f" >/dev/null 2>"$tmp/err"
	est=$(sed -n 's/.*the run would fire about \([0-9]*\) events.*/\1/p' "$tmp/err")
	if [ -z "$est" ] || [ "$est" -gt 10000000 ]; then
		echo "FAIL: $f: estimate '$est' is not below 10^7" >&2
		cat "$tmp/err" >&2
		fails=$((fails + 1))
		continue
	fi
	"$sim" run --max-events "$est" "$f" >/dev/null 2>"$tmp/err"
	if [ $? -eq 2 ]; then
		echo "FAIL: $f: fires more than its estimate of $est events" >&2
		cat "$tmp/err" >&2
		fails=$((fails + 1))
	fi
done
exit $((fails > 0))
