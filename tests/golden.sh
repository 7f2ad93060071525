#!/bin/sh
# Reports must not depend on the compiler, the build type or the machine:
# each scenario's JSON report (docs/report-format.md) must equal the one
# committed in tests/golden/.  After an intended change of behaviour,
# regenerate them with
#   tests/golden.sh build/sim/sim scenarios tests/golden --update
# and review the diff like code.  Only "events" may move without a change of
# behaviour (a refactor that adds or drops an internal event); everything else
# is a verdict or a measured value and moves only when the model does.
set -u
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
scenarios="$2"
golden=$(cd "$3" && pwd)
update="${4:-}"
fails=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cd "$scenarios" || exit 2
for f in *.json; do
	name=${f%.json}
	"$sim" run --json - "$f" >"$tmp"
	status=$?
	if [ $status -gt 1 ]; then
		echo "FAIL: $f: sim exited $status" >&2
		fails=$((fails + 1))
		continue
	fi
	if [ "$update" = "--update" ]; then
		cp "$tmp" "$golden/$name.json"
		echo "updated: $golden/$name.json"
	elif ! cmp -s "$tmp" "$golden/$name.json"; then
		echo "FAIL: $f: report differs from tests/golden/$name.json" >&2
		diff "$golden/$name.json" "$tmp" | head -40 >&2
		fails=$((fails + 1))
	else
		echo "ok: $f"
	fi
done
exit $fails
