#!/bin/sh
# The plugin ABI (docs/plugins.md, include/sim/plugin.h), end to end through
# `sim run`:
#  1. the faithful writer gives every library scenario with a VM the same
#     report and exit status as sim's own writer (only the foreign-part line
#     differs), and the faithful reader does the same on torn reads;
#  2. the pre-1d5f066e writer, the seqlock-ignoring reader and the 3.58 MHz
#     PM timer fail their example scenarios, with the numbers derived below;
#  3. misbehaving plugins (tests/plugins/bad_plugin.c) stop sim with exit 2
#     and an error naming the plugin, the part and the event;
#  4. the "plugins" key: paths relative to the scenario, errors with a place.
# Usage: plugins.sh SIM EXAMPLE_PLUGIN_DIR TEST_PLUGIN_DIR SOURCE_ROOT
set -u
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ex=$2
bad=$3
src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# run NAME EXPECTED_STATUS ARGS...: stdout+stderr in $tmp/NAME.out
run() {
	name=$1 want=$2
	shift 2
	"$sim" run "$@" >"$tmp/$name.out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || fail "$name: exit $got, expected $want: $(head -c 600 "$tmp/$name.out")"
}
# has NAME TEXT: the output of NAME holds TEXT (a fixed string)
has() {
	grep -qF -- "$2" "$tmp/$1.out" || fail "$1: no \"$2\" in: $(head -c 800 "$tmp/$1.out")"
}

cd "$src" || exit 1
exdir=examples/plugins

# ---- 1. faithful parts: the same reports as sim's own ----
n=0
for f in $(grep -l '"vm"' scenarios/*.json); do
	"$sim" run "$f" >"$tmp/own.out" 2>&1
	own=$?
	"$sim" run --plugin "$ex/faithful_writer.so:pvclock_writer" "$f" >"$tmp/foreign.out" 2>&1
	foreign=$?
	grep -q '^  foreign part: pvclock_writer (KVM.s pvclock page writer) is plugin "faithful-writer"' \
		"$tmp/foreign.out" || fail "$f: no foreign-part line with the faithful writer"
	grep -v '^  foreign part: ' "$tmp/foreign.out" >"$tmp/foreign.cut"
	[ "$own" -eq "$foreign" ] || fail "$f: exit $own with sim's writer, $foreign with the faithful one"
	cmp -s "$tmp/own.out" "$tmp/foreign.cut" ||
		fail "$f: the faithful writer's report differs: $(diff "$tmp/own.out" "$tmp/foreign.cut" | head -5)"
	n=$((n + 1))
done
[ "$n" -ge 40 ] || fail "only $n library scenarios with a VM"
echo "faithful writer: $n library scenarios, identical reports"

# Linux's seqlock read as a plugin, on reads that straddle page rewrites: the
# same reads, retries and verdict as sim's own reader.
"$sim" run "$exdir/torn_read.json" >"$tmp/own.out" 2>&1
run faithful_reader 0 --plugin "$bad/faithful_reader.so" "$exdir/torn_read.json"
grep -v '^  foreign part: ' "$tmp/faithful_reader.out" >"$tmp/foreign.cut"
cmp -s "$tmp/own.out" "$tmp/foreign.cut" ||
	fail "faithful reader: report differs: $(diff "$tmp/own.out" "$tmp/foreign.cut" | head -5)"
has faithful_reader "4 version retries"
# ... and where the guard works: pvclock_unstable_tsc has no master clock, and
# Linux's guard raises 29852 of its reads (sim's own count).
"$sim" run scenarios/pvclock_unstable_tsc.json >"$tmp/own.out" 2>&1
run faithful_guard 0 --plugin "$bad/faithful_reader.so" scenarios/pvclock_unstable_tsc.json
grep -v '^  foreign part: ' "$tmp/faithful_guard.out" >"$tmp/foreign.cut"
cmp -s "$tmp/own.out" "$tmp/foreign.cut" ||
	fail "faithful reader (guard): report differs: $(diff "$tmp/own.out" "$tmp/foreign.cut" | head -5)"
has faithful_guard "29852 raised by the guard"

# ---- 2. the buggy examples, caught ----
run warp_own 0 "$exdir/warp.json"
# Pre-1d5f066e: each page is anchored at host ns rounded down to a 4 ms tick
# (HZ 250), the host's CLOCK_MONOTONIC_RAW being uptime 3600 s + t.  The page
# written at 1.000001977903 s lags true kvmclock by (3601.000001977903 mod
# 0.004) s = 1.977903 us; the one at 2.003011064834 s by 3.011064834 ms.  The
# reader (every 100 us) then reads 3.011064834 - 0.001977903 - 0.1 =
# 2.909086931 ms less than before: a violation.  Later rewrites lag 2.02,
# 1.01, 0.013 ms (less than the page before: no step back), then 3.0066 ms
# again at 6.015 s: 2 violations in all.
run warp 1 --plugin "$ex/warp_writer.so:pvclock_writer" "$exdir/warp.json"
has warp 'foreign part: pvclock_writer (KVM'"'"'s pvclock page writer) is plugin "pre-1d5f066e-writer"'
has warp "mono_vcpu    FAIL  worst 2.909 ms, 2 violations"
has warp "first: at 2.003028062 s vCPU 0 read 602.000016997 s; its previous read at 2.002928062 s gave 602.002926084 s"
# page_step names the rewrite: at its TSC the old page (lagging 1.977903 us)
# gives 602.003009086 s, the new one the tick boundary 602.000000000 s: a step
# of -(3.011064834 ms - 1.977903 us) = -3.009086931 ms.
has warp "page_step on the VM): FAIL  worst -3.009 ms"
has warp "(before=602003009086 after=602000000000 ns at guest TSC 1806009033194)"

# The seqlock-ignoring reader: a read that straddles the rewrite at 1 s
# combines the new system_time with the old tsc_timestamp, counting the 1 s
# between the two master clock pairs twice: about 1 s ahead, then back.
run noseq 1 --plugin "$ex/noseq_reader.so" "$exdir/torn_read.json"
has noseq 'foreign part: pvclock_reader (the guest'"'"'s pvclock reader) is plugin "noseq-reader"'
has noseq "mono_vcpu    FAIL  worst 1.00"
has noseq "0 version retries"

# The PM timer at 3.58 MHz instead of 3.579545 MHz: (3580000 - 3579545) /
# 3579545 = +127.111 ppm, against a 20 ppm threshold.
run pmtimer_own 0 "$exdir/pmtimer_rate.json"
run pmtimer 1 --plugin "$ex/rounded_pmtimer.so:pmtimer" "$exdir/pmtimer_rate.json"
has pmtimer 'foreign part: pmtimer (the board'"'"'s ACPI PM timer) is plugin "rounded-pmtimer"'
has pmtimer "rate         FAIL  worst +127.111 ppm"

# The JSON report names the foreign parts; without plugins it has no such key.
"$sim" run --json "$tmp/r.json" --plugin "$ex/rounded_pmtimer.so" "$exdir/pmtimer_rate.json" >/dev/null
python3 - "$tmp/r.json" "$ex/rounded_pmtimer.so" <<'PY' || fail "JSON report: foreign_parts"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["foreign_parts"] == [{"part": "pmtimer", "plugin": "rounded-pmtimer",
                              "path": sys.argv[2], "from": "--plugin"}], s["foreign_parts"]
PY
"$sim" run --json - "$exdir/pmtimer_rate.json" | grep -q foreign_parts && fail "foreign_parts without plugins"

# The quick start of docs/plugins.md, line by line, with its build paths
# mapped onto this build: each `build/sim/sim run` line exits as its comment says.
nq=0
grep '^build/sim/sim run ' docs/plugins.md >"$tmp/quick" || fail "docs/plugins.md: no quick start"
while IFS= read -r line; do
	want=$(printf '%s\n' "$line" | sed -n 's/.*# exit \([0-9]\).*/\1/p')
	args=$(printf '%s\n' "$line" | sed 's/#.*//; s|^build/sim/sim run ||; s|build/examples/plugins/|'"$ex"'/|g')
	# shellcheck disable=SC2086
	"$sim" run $args >"$tmp/quick.out" 2>&1
	got=$?
	[ -n "$want" ] && [ "$got" -eq "$want" ] || fail "docs/plugins.md: '$line' exits $got"
	nq=$((nq + 1))
done <"$tmp/quick"
[ "$nq" -ge 5 ] || fail "docs/plugins.md: $nq quick-start lines"

# Determinism: a run with plugins gives byte-identical JSON reports twice.
for pair in "noseq_reader.so torn_read.json" "warp_writer.so warp.json" "rounded_pmtimer.so pmtimer_rate.json"; do
	set -- $pair
	"$sim" run --json "$tmp/d1.json" --plugin "$ex/$1" "$exdir/$2" >/dev/null 2>&1
	"$sim" run --json "$tmp/d2.json" --plugin "$ex/$1" "$exdir/$2" >/dev/null 2>&1
	cmp -s "$tmp/d1.json" "$tmp/d2.json" || fail "determinism: $1 on $2 gives two reports"
done

# ---- 3. misbehaving plugins ----
w=$exdir/warp.json
run crash 2 --plugin "$bad/bad_crash_writer.so" "$w"
"$sim" run --json - --plugin "$bad/bad_crash_writer.so" "$w" >"$tmp/crash.json" 2>/dev/null
python3 - "$tmp/crash.json" <<'PY' || fail "JSON report of a crashed plugin: $(cat "$tmp/crash.json")"
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
assert s["status"] == "invalid" and "write() crashed: SIGSEGV" in s["error"], s
assert "readers" not in s, s
PY
has crash "error: plugin \"bad-crash_writer\" ($bad/bad_crash_writer.so, --plugin), part pvclock_writer, at 1.000001977 s on vCPU 0: write() crashed: SIGSEGV"
run odd 2 --plugin "$bad/bad_odd_version.so" "$w"
has odd 'plugin "bad-odd_version"'
has odd "part pvclock_writer, at 0.000000000 s on vCPU 0: the page's version 3 is odd after the update"
run shift 2 --plugin "$bad/bad_shift.so" "$w"
has shift "tsc_shift 40 is outside [-32, 32]"
run null_cb 2 --plugin "$bad/bad_null_callback.so" "$w"
has null_cb "plugin $bad/bad_null_callback.so: part pvclock_writer: write is NULL"
run abi 2 --plugin "$bad/bad_abi_future.so" "$w"
has abi "ABI mismatch: the plugin was built for ABI 7 and needs at least ABI 5; this sim has ABI 1 and accepts plugins built for ABI 1 or later"
run no_entry 2 --plugin "$bad/bad_no_entry.so" "$w"
has no_entry 'no entry point: it exports no symbol "sim_plugin_entry"'
run null_entry 2 --plugin "$bad/bad_null_entry.so" "$w"
has null_entry "sim_plugin_entry() returned NULL"
run retry 2 --plugin "$bad/bad_retry_reader.so" "$exdir/torn_read.json"
has retry 'part pvclock_reader, at 0.020021873 s on vCPU 1'
has retry 'asked to retry 1000 times in a row'
run fpe 2 --plugin "$bad/bad_fpe_reader.so" "$exdir/torn_read.json"
has fpe "read() crashed: SIGFPE"
run wide 2 --plugin "$bad/bad_wide_device.so" "$exdir/pmtimer_rate.json"
has wide "part pmtimer, at 0.00"
has wide "returned 0x100000000, wider than the access"
# Not garbage sim can see in the page, but its own reader stops on it: the
# error says which parts were foreign.
run future 2 --plugin "$bad/bad_future_timestamp.so" "$w"
has future "the TSC is below the timestamp"
has future '(foreign parts: pvclock_writer from plugin "bad-future_timestamp")'
run missing 2 --plugin "$tmp/nothing.so" "$w"
has missing "cannot load"
run no_part 2 --plugin "$ex/faithful_writer.so:pmtimer" "$exdir/pmtimer_rate.json"
has no_part 'plugin "faithful-writer" does not implement part pmtimer'
run bad_part 2 --plugin "$ex/faithful_writer.so:pit" "$w"
has bad_part 'expected PATH or PATH:PART with PART one of "pvclock_writer", "pvclock_reader", "pmtimer", "all", got "pit"'
run twice 2 --plugin "$ex/faithful_writer.so" --plugin "$ex/warp_writer.so" "$w"
has twice 'part pvclock_writer is already replaced by plugin "faithful-writer"'
run no_vm 2 --plugin "$ex/faithful_writer.so:pvclock_writer" scenarios/pit_modes.json
has no_vm 'needs a VM'

# ---- 4. the "plugins" key ----
mkdir "$tmp/s"
cp "$ex/rounded_pmtimer.so" "$tmp/s/"
sed 's/^{/{ "plugins": [ { "path": "rounded_pmtimer.so", "replaces": "pmtimer" } ],/' \
	"$exdir/pmtimer_rate.json" >"$tmp/s/key.json"
run key 1 "$tmp/s/key.json"
has key "is plugin \"rounded-pmtimer\" from $tmp/s/rounded_pmtimer.so"
has key "rate         FAIL  worst +127.111 ppm"
sed 's/^{/{ "plugins": [ { "path": "rounded_pmtimer.so", "replaces": "hpet" } ],/' \
	"$exdir/pmtimer_rate.json" >"$tmp/s/badkey.json"
run badkey 2 "$tmp/s/badkey.json"
has badkey "badkey.json:1:"
has badkey '/plugins/0/replaces'
sed 's/^{/{ "plugins": [ { "path": "gone.so" } ],/' "$exdir/pmtimer_rate.json" >"$tmp/s/gone.json"
run gone 2 "$tmp/s/gone.json"
has gone "gone.json:1:"
has gone "/plugins/0: plugin $tmp/s/gone.so: cannot load"

# A failure during the run points at the scenario's entry.
cp "$bad/bad_crash_writer.so" "$tmp/s/"
sed 's/^{/{ "plugins": [ { "path": "bad_crash_writer.so" } ],/' "$exdir/warp.json" >"$tmp/s/crash.json"
run keycrash 2 "$tmp/s/crash.json"
has keycrash "crash.json:1:16: error: /plugins/0: plugin \"bad-crash_writer\" ($tmp/s/bad_crash_writer.so, /plugins/0), part pvclock_writer, at 1.000001977 s on vCPU 0: write() crashed: SIGSEGV"

[ "$fails" -eq 0 ] && echo "plugins: all checks hold"
exit $((fails != 0))
