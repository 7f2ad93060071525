#!/bin/sh
# Golden headless frames of `sim viz --png` (tests/golden/viz/NAME.png), compared
# with a small tolerance (tests/viz_png_cmp.c).  On a mismatch the actual frame
# is written beside the expected one as NAME.actual.png.
#   viz_golden.sh SIM CMP SRCDIR [--update]
set -u
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cmp=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
update=${4:-}
# from the source tree, so the frame's title names scenarios/FILE wherever it is
cd "$3" || exit 2
dir=tests/golden/viz
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
# name, scenario, options: the three frames
while read -r name file opts; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	if ! "$sim" viz "scenarios/$file" --size 960x540 $opts --png "$out/$name.png"; then
		echo "FAIL $name: sim viz exited $?"
		status=1
		continue
	fi
	if [ "$update" = --update ]; then
		cp "$out/$name.png" "$dir/$name.png"
		echo "updated $dir/$name.png"
	elif ! res=$("$cmp" "$dir/$name.png" "$out/$name.png"); then
		cp "$out/$name.png" "$dir/$name.actual.png"
		echo "FAIL $name: $res; the actual frame is $dir/$name.actual.png"
		status=1
	else
		echo "ok $name: $res"
	fi
done <<'LIST'
migrate_slow migrate_slow.json --from 4.9s --to 5.5s
multisocket_tsc_skew multisocket_tsc_skew.json
pit_modes pit_modes.json
LIST
exit $status
