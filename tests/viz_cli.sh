#!/bin/sh
# `sim viz`'s command line: --help, and every bad input refused with exit 2
# and a message that says what was expected.
#   viz_cli.sh SIM SRCDIR
set -u
sim=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
m=$src/scenarios/migrate_slow.json
expect() {   # expect STATUS TEXT ARGS...
	want=$1 text=$2
	shift 2
	"$sim" viz "$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ] || { [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; }; then
		echo "FAIL: sim viz $*: exit $got (want $want), output:"
		cat "$tmp/out"
		status=1
	else
		echo "ok: sim viz $*"
	fi
}
expect 0 "usage: sim viz" --help
expect 2 "no scenario file given" --png "$tmp/a.png"
expect 2 "unknown option --bogus" --bogus "$m"
expect 2 "--png needs a value" "$m" --png
expect 2 "--from: " --from soon "$m" --png "$tmp/a.png"
expect 2 "--to must come after --from" --from 5s --to 4s "$m" --png "$tmp/a.png"
expect 2 "must lie within the run (0 to 10.000000000 s)" --from 20s "$m" --png "$tmp/a.png"
expect 2 "expected WxH from 320x200" --size 10x10 "$m" --png "$tmp/a.png"
expect 2 'unknown lane "foo"' --lanes tsc,foo "$m" --png "$tmp/a.png"
expect 2 "--draw-list goes with --png" --draw-list "$tmp/d.txt" "$m"
expect 2 "the run has 1 violation" --violation 3 "$m" --png "$tmp/a.png"
expect 2 "one scenario file at a time" "$m" "$m" --png "$tmp/a.png"
expect 2 "cannot write $tmp/no/a.png" "$m" --png "$tmp/no/a.png"
printf '{ "name": "x", "duration": "1s",\n  "lesson": 3 }\n' >"$tmp/bad.json"
expect 2 "bad.json:2:" "$tmp/bad.json" --png "$tmp/a.png"
expect 0 "" "$m" --from 5s --to 5.000000001s --png "$tmp/a.png"
[ -s "$tmp/a.png" ] || { echo "FAIL: no PNG written"; status=1; }
# the renderer is a module (viz/module.h): a missing or foreign one is named, exit 2
SIM_VIZ_MODULE=$tmp/none.so expect 2 "cannot load the visualizer module: $tmp/none.so" "$m" --png "$tmp/b.png"
printf 'not an ELF file\n' >"$tmp/bad.so"
SIM_VIZ_MODULE=$tmp/bad.so expect 2 "cannot load the visualizer module" "$m" --png "$tmp/b.png"
# `sim` itself links no SDL2: only `sim viz` loads it
if command -v ldd >/dev/null && ldd "$sim" | grep -q libSDL2; then
	echo "FAIL: $sim links SDL2 (every sim run would pay for loading it)"
	status=1
fi
exit $status
