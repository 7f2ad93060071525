#!/bin/sh
# `sim viz --png` keeps bounded memory: its peak RSS (--stats) for a run of
# 100 s of simulated time is within 1 MB of that for 10 s, whole and zoomed.
#   viz_memory.sh SIM SRCDIR
set -u
sim=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rss() {
	"$sim" viz "$@" --stats 2>&1 >/dev/null | sed -n 's/.*peak RSS \([0-9]*\) kB.*/\1/p'
}
for d in 10 100; do
	sed "s/\"duration\": \"10s\"/\"duration\": \"${d}s\"/" "$src/scenarios/migrate_slow.json" \
		>"$tmp/m$d.json"
done
status=0
for view in "" "--from 6s --to 6.1s"; do
	# shellcheck disable=SC2086
	a=$(rss "$tmp/m10.json" --png "$tmp/a.png" $view)
	# shellcheck disable=SC2086
	b=$(rss "$tmp/m100.json" --png "$tmp/b.png" $view)
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "FAIL: no peak RSS from sim viz --stats ($view)"
		exit 1
	fi
	echo "peak RSS ${view:-whole run}: 10 s $a kB, 100 s $b kB"
	if [ "$b" -gt $((a + 1024)) ]; then
		echo "FAIL: memory grows with the run's length"
		status=1
	fi
done
exit $status
