#!/bin/sh
# A device-model plugin under `sim qtest --plugin` and `sim diff` (docs/plugins.md,
# "Device models under sim qtest and sim diff"):
#  1. `sim diff` catches the 3.58 MHz PM timer (examples/plugins/rounded_pmtimer.c)
#     against sim's own, with the answers derived below, and finds nothing
#     between sim and sim;
#  2. a part that needs a VM is refused with exit 2, by name or through "all";
#  3. a plugin that returns garbage during the session ends it, naming the plugin;
#  4. the copy-paste lines of that docs section exit as their comments say.
# Usage: diff_plugin.sh SIM EXAMPLE_PLUGIN_DIR TEST_PLUGIN_DIR SOURCE_ROOT
set -u
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ex=$2
bad=$3
src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# has FILE TEXT: FILE holds the line TEXT (fixed string, whole line)
has() {
	grep -qxF -- "$2" "$1" || fail "$(basename "$1"): no line \"$2\" in: $(head -c 900 "$1")"
}

cd "$src" || exit 1
script=examples/plugins/pmtimer_read.qtest
rounded="sim:--plugin $ex/rounded_pmtimer.so"

# ---- 1. the rounded PM timer, caught ----
# The PM timer counts floor(t * f) (24 bits; every value below is < 2^24).
# sim's chip: f = 3579545 Hz (ACPI 6.0 section 4.8.3.3, PM_TMR); the plugin:
# f = 3580000 Hz (WRONG_HZ in rounded_pmtimer.c).  The script's requests:
#   #1 inl at 0 s:    both 0                                 (the same)
#   #2 clock_step 1e9 ns: both "OK 1000000000"                (the same)
#   #3 inl at 1 s:    3579545 = 0x369e99 vs 3580000 = 0x36a060
#   #4 clock_step 2.5e9 ns: both "OK 3500000000"              (the same)
#   #5 inl at 3.5 s:  floor(12528407.5) = 12528407 = 0xbf2b17
#                     vs 3.5 * 3580000 = 12530000 = 0xbf3150
# (0x369e99 = 3*2^20 + 6*2^16 + 9*2^12 + 14*2^8 + 9*16 + 9; the others alike.)
"$sim" diff "$script" --a sim --b "$rounded" >"$tmp/rounded.out" 2>&1
st=$?
[ "$st" -eq 1 ] || fail "diff sim vs rounded_pmtimer: exit $st, expected 1: $(head -c 900 "$tmp/rounded.out")"
has "$tmp/rounded.out" "#3 (line 6) inl 0x608   [clock a 1000000000 ns, b 1000000000 ns]"
has "$tmp/rounded.out" "  a: OK 0x369e99"
has "$tmp/rounded.out" "  b: OK 0x36a060"
has "$tmp/rounded.out" "#5 (line 8) inl 0x608   [clock a 3500000000 ns, b 3500000000 ns]"
has "$tmp/rounded.out" "  a: OK 0xbf2b17"
has "$tmp/rounded.out" "  b: OK 0xbf3150"
has "$tmp/rounded.out" "5 requests, 2 differences: 0 known, 2 new"
n=$(grep -c '^#' "$tmp/rounded.out")
[ "$n" -eq 2 ] || fail "diff sim vs rounded_pmtimer: $n differences printed, expected 2"
# The same differences in JSON, the sides swapped.
"$sim" diff "$script" --a "$rounded" --b sim --json - >"$tmp/rounded.json" 2>"$tmp/rounded.err"
st=$?
[ "$st" -eq 1 ] || fail "diff rounded_pmtimer vs sim --json: exit $st, expected 1"
python3 - "$tmp/rounded.json" <<'PY' || fail "diff --json: $(head -c 900 "$tmp/rounded.json")"
import json, sys
d = json.load(open(sys.argv[1]))
got = [(x["request"], x["answer_a"], x["answer_b"]) for x in d["items"]]
assert got == [(3, "OK 0x36a060", "OK 0x369e99"), (5, "OK 0xbf3150", "OK 0xbf2b17")], got
assert (d["requests"], d["differences"], d["known"], d["new"]) == (5, 2, 0, 2), d
PY
# The faithful direction: sim against sim finds nothing.
"$sim" diff "$script" --a sim --b sim >"$tmp/same.out" 2>&1
st=$?
[ "$st" -eq 0 ] || fail "diff sim vs sim: exit $st, expected 0: $(cat "$tmp/same.out")"
has "$tmp/same.out" "5 requests, 0 differences: 0 known, 0 new"
# The plugin alone under sim qtest, PATH:PART and PATH (all) alike.
for spec in "$ex/rounded_pmtimer.so:pmtimer" "$ex/rounded_pmtimer.so"; do
	printf 'clock_step 1000000000\ninl 0x608\n' | "$sim" qtest --plugin "$spec" >"$tmp/q.out" 2>&1
	st=$?
	[ "$st" -eq 0 ] || fail "qtest --plugin $spec: exit $st: $(cat "$tmp/q.out")"
	printf 'OK 1000000000\nOK 0x36a060\n' | cmp -s - "$tmp/q.out" ||
		fail "qtest --plugin $spec: $(cat "$tmp/q.out")"
done

# ---- 2. refused: parts that need a VM, bad specs ----
# refused NAME WORDS ARGS...: `sim qtest ARGS` exits 2 before serving, stderr holds WORDS
refused() {
	name=$1 words=$2
	shift 2
	printf 'inl 0x608\n' | "$sim" qtest "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
	[ "$st" -eq 2 ] || fail "$name: exit $st, expected 2: $(cat "$tmp/$name.err")"
	[ -s "$tmp/$name.out" ] && fail "$name: served requests: $(cat "$tmp/$name.out")"
	grep -qF -- "$words" "$tmp/$name.err" || fail "$name: no \"$words\" in: $(cat "$tmp/$name.err")"
}
refused writer_part "sim qtest: --plugin $ex/faithful_writer.so:pvclock_writer: part \"pvclock_writer\" (KVM's pvclock page writer) needs a VM, and sim qtest has none" \
	--plugin "$ex/faithful_writer.so:pvclock_writer"
refused reader_part "part \"pvclock_reader\" (the guest's pvclock reader) needs a VM, and sim qtest has none" \
	--plugin "$ex/noseq_reader.so:pvclock_reader"
refused writer_all "plugin \"faithful-writer\" implements part \"pvclock_writer\" (KVM's pvclock page writer), which needs a VM, and sim qtest has none: give PATH:PART with a board part (pmtimer)" \
	--plugin "$ex/faithful_writer.so"
refused no_pmtimer "plugin \"noseq-reader\" does not implement part pmtimer (the board's ACPI PM timer)" \
	--plugin "$ex/noseq_reader.so:pmtimer"
refused no_file "plugin ./no_such_plugin.so: cannot load" --plugin no_such_plugin.so
refused bad_part "expected PATH or PATH:PART with PART one of \"pvclock_writer\", \"pvclock_reader\", \"pmtimer\", \"all\", got \"hpet\"" \
	--plugin "$ex/rounded_pmtimer.so:hpet"
refused twice "part pmtimer is already replaced by plugin \"rounded-pmtimer\" (--plugin)" \
	--plugin "$ex/rounded_pmtimer.so" --plugin "$ex/rounded_pmtimer.so:pmtimer"
refused no_arg "sim qtest: --plugin needs an argument: PATH[:PART]" --plugin
# QEMU's single-dash -plugin (TCG plugins) stays accepted and ignored.
printf 'clock_step 1000000000\ninl 0x608\n' | "$sim" qtest -plugin file=libinsn.so >"$tmp/qemu.out" 2>&1
printf 'OK 1000000000\nOK 0x369e99\n' | cmp -s - "$tmp/qemu.out" || fail "qtest -plugin file=...: $(cat "$tmp/qemu.out")"
"$sim" qtest --help | grep -qF -- "--plugin PATH[:PART]" || fail "sim qtest --help: no --plugin"

# ---- 3. garbage during the session ----
# bad_wide_device answers a 4-byte read with 0x100000000: the request fails,
# the session ends with exit 1 and the plugin named; sim diff says the side exited.
wide="plugin \"bad-wide_device\" ($bad/bad_wide_device.so, --plugin), part pmtimer, at 1.000000000 s: read of 4 bytes at offset 0 returned 0x100000000, wider than the access"
printf 'clock_step 1000000000\ninl 0x608\nclock_step 1\n' |
	"$sim" qtest --plugin "$bad/bad_wide_device.so" >"$tmp/wide.out" 2>"$tmp/wide.err"
st=$?
[ "$st" -eq 1 ] || fail "wide device: exit $st, expected 1: $(cat "$tmp/wide.err")"
printf 'OK 1000000000\nFAIL event queue: %s\n' "$wide" | cmp -s - "$tmp/wide.out" ||
	fail "wide device: replies $(cat "$tmp/wide.out")"
printf 'sim qtest: %s\n' "$wide" | cmp -s - "$tmp/wide.err" || fail "wide device: stderr $(cat "$tmp/wide.err")"
"$sim" diff "$script" --a sim --b "sim:--plugin $bad/bad_wide_device.so" >"$tmp/wdiff.out" 2>"$tmp/wdiff.err"
st=$?
[ "$st" -eq 2 ] || fail "diff against the wide device: exit $st, expected 2"
grep -qF "side b (sim:--plugin $bad/bad_wide_device.so) exited with status 1" "$tmp/wdiff.err" ||
	fail "diff against the wide device: $(cat "$tmp/wdiff.err")"

# ---- 4. docs/plugins.md, "Device models under sim qtest and sim diff" ----
nd=0
grep -E '^build/sim/sim (diff|qtest) .*# exit [0-9]' docs/plugins.md >"$tmp/lines" ||
	fail "docs/plugins.md: no sim diff / sim qtest lines"
while IFS= read -r line; do
	want=$(printf '%s\n' "$line" | sed -n 's/.*# exit \([0-9]\).*/\1/p')
	cmd=$(printf '%s\n' "$line" | sed 's/#.*//; s|build/examples/plugins/|'"$ex"'/|g; s|^build/sim/sim |"$sim" |')
	eval "$cmd" >"$tmp/doc.out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || fail "docs/plugins.md: '$line' exits $got: $(head -c 600 "$tmp/doc.out")"
	nd=$((nd + 1))
done <"$tmp/lines"
[ "$nd" -ge 3 ] || fail "docs/plugins.md: $nd sim diff / sim qtest lines"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "diff_plugin: rounded_pmtimer caught at requests 3 and 5; sim vs sim 0 differences; 8 refusals; $nd docs lines"
