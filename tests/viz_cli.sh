#!/bin/sh
# `sim viz`'s command line: --help, and every bad input refused with exit 2
# and a message that says what was expected; a violation's explanation with
# several VMs.
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
# With several VMs a violation's explanation and its arrow name the VM, as
# sim run's report does ("VM desktop vCPU 1"): the report gives desktop_tsc's
# first violation on vCPU 1 and devbox_tsc's on vCPU 2 (violations 1 and 0 in
# time); the trace's last page writes before them are desktop's vCPU 1 at
# 1260 s and devbox's vCPU 2, while devbox's vCPU 1 page (written 13 us after
# desktop's) is another guest's, never desktop's cause.
mv=$src/scenarios/host_suspend_tsc_reset_vms.json
explained() {   # explained N TEXT...: violation N's panel has each TEXT line
	n=$1
	shift
	"$sim" viz "$mv" --violation "$n" --png "$tmp/v.png" --draw-list "$tmp/v.txt" >"$tmp/out" 2>&1 ||
		{ echo "FAIL: sim viz --violation $n: $(cat "$tmp/out")"; status=1; return; }
	for want in "$@"; do
		if grep -qF -- "normal '$want'" "$tmp/v.txt"; then
			echo "ok: violation $n: $want"
		else
			echo "FAIL: violation $n: no text '$want' in the panel:"
			grep "text ink 188" "$tmp/v.txt"
			status=1
		fi
	done
}
explained 1 "first: at 1260.003164717 s VM desktop vCPU 1 read 3660.003161140 s where the reference was 4860.003164716 s" \
	"arrow: pvclock page write on VM desktop vCPU 1"
explained 0 "first: at 1260.002591684 s VM devbox vCPU 2 read 1260.002588107 s where the reference was 2460.002591683 s" \
	"arrow: pvclock page write on VM devbox vCPU 2"
# docs/visualizer.md's example of lanes per VM renders
expect 0 "" "$src/tests/vms/two_hosts.json" --png "$tmp/two.png"
# one VM: the report's words as they are
"$sim" viz "$m" --violation 0 --png "$tmp/v.png" --draw-list "$tmp/v.txt" >/dev/null 2>&1
if grep -q "text ink 188 [0-9]* normal 'first: at [0-9.]* s vCPU [0-9]" "$tmp/v.txt" && ! grep -q "VM " "$tmp/v.txt"; then
	echo "ok: one VM: vCPU without a VM"
else
	echo "FAIL: one VM's explanation:"
	grep "text ink 188" "$tmp/v.txt"
	status=1
fi
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
