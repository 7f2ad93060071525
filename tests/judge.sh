#!/bin/sh
# `sim judge` (docs/trace-format.md) against expectations derived by hand:
#  1. hand-written traces in tests/judge/, each verdict derived in the
#     comment before its checks;
#  2. bad input: exit 2 and a message naming the file, line and key;
#  3. round trip: `sim run X --trace t` then `sim judge --policy P t`, with
#     P the scenario's own reader checks, gives the same verdict lines
#     (checks, first violations, expectations) as `sim run X`.
# Usage: judge.sh SIM SOURCE_ROOT
set -u
sim=$1
root=$2
dir=$root/tests/judge
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# has FILE LINE WHAT: FILE holds LINE exactly.
has() {
	grep -qxF -- "$2" "$1" || { fail "$3: no line \"$2\" in:"; sed 's/^/    /' "$1" >&2; }
}

# run_judge WANT_STATUS NAME ARGS...: output in $tmp/out, stderr in $tmp/err.
run_judge() {
	want=$1
	name=$2
	shift 2
	"$sim" judge "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { fail "$name: exit $got, expected $want"; cat "$tmp/err" >&2; }
}

# 1a. order.jsonl: order only.  vCPU 0 reads 1000 (order 1), vCPU 1 reads
# 1010 (order 2), vCPU 0 reads 1005 (order 3): vCPU 0's own reads rise
# (1 sample, pass); its second read began after vCPU 1's ended and returns
# 5 ns less (mono_causal: 2 samples, the reads of orders 2 and 3 each have an
# earlier read of another vCPU... only order 3 has one of vCPU 1; order 2 has
# vCPU 0's: 2 samples, 1 violation of 5 ns).  Times show the order numbers in ns.
run_judge 1 order "$dir/order.jsonl"
has "$tmp/out" "  clock CLOCK_MONOTONIC (on vCPU 0,1; judged by order): 3 reads" order
has "$tmp/out" "    mono_vcpu    pass  worst 0.000 ns, 0 violations in 1 samples" order
has "$tmp/out" "    mono_causal  FAIL  worst 5.000 ns, 1 violations in 2 samples" order
has "$tmp/out" "      first: at 0.000000003 s vCPU 0 read 0.000001005 s, less than the 0.000001010 s vCPU 1 had read by 0.000000002 s" order
has "$tmp/out" "  result: 1 of 2 expectations DO NOT HOLD" order

# 1b. ref_ns.jsonl with policy.json (max_error 1 us on every clock, tsc
# expected to fail mono_vcpu).  CLOCK_MONOTONIC: reads end at 1100 ns and
# 2000100 ns of the reference (ns), values 5000 and 2008000 ns: the clock
# went 2003000 ns while the reference went 1999000 ns: +4 us > 1 us.
# tsc ("value", cycles, judged as counts): vCPU 0 reads 16 then 12: back by
# 4 (shown as 4.000 ns); max_error is on only where the policy's clock
# section does not replace the checks (tsc has its own: mono_vcpu only).
run_judge 1 ref_ns --policy "$dir/policy.json" "$dir/ref_ns.jsonl"
has "$tmp/out" "    max_error    FAIL  worst +4.000 us (threshold 1.000 us), 1 violations in 1 samples" ref_ns
has "$tmp/out" "      first: at 0.002000100 s vCPU 0 read 0.002008000 s where the reference was 0.002004000 s" ref_ns
has "$tmp/out" "    mono_vcpu    FAIL  worst 4.000 ns, 1 violations in 1 samples" ref_ns
has "$tmp/out" "      expected fail: holds" ref_ns
# the same with --tsc-ns (1 GHz: a cycle is a ns) and max_error on tsc too: its
# reads end at 1300, 1500, 1700 ns; vCPU 0's second read is 4 ns back.
run_judge 1 tsc_ns --tsc-ns --threshold max_error=1us "$dir/ref_ns.jsonl"
has "$tmp/out" "  clock tsc (on vCPU 0,1; judged by reference bracket): 3 reads" tsc_ns
run_judge 2 tsc_cycles --threshold max_error=1us "$dir/ref_ns.jsonl"
grep -q 'ref_ns.jsonl:3:1: error: /value: max_error compares ns with the reference, and clock "tsc" gives TSC cycles' "$tmp/err" ||
	fail "tsc_cycles: $(cat "$tmp/err")"

# 1c. runs.jsonl: two runs in one file.  Run 1 skips the type its header
# lists in ignore_types; run 2's vCPU 0 reads 10 then 9: mono_vcpu back 1 ns.
run_judge 1 runs "$dir/runs.jsonl"
has "$tmp/out" "  not judged: 1 of the header's ignore_types" runs
has "$tmp/out" "$dir/runs.jsonl run 2 (sim-trace from hand): 3 lines, 2 reads on 1 clocks" runs
has "$tmp/out" "    mono_vcpu    FAIL  worst 1.000 ns, 1 violations in 1 samples" runs

# 1d. host.jsonl: pages with mul 2^31, shift 0 (half a ns per cycle).
# vCPU 0 at TSC 1000000: 5000000 ns; vCPU 1 the same page (cross_vcpu: 0).
# vCPU 0 rewritten at TSC 3000000 with 5999000 ns, where its old page gives
# 5000000 + 2000000 / 2 = 6000000 ns: PAGE_STEP back 1 us, and vCPU 1's
# (stable) page also gives 6000000 ns there: cross_vcpu 1 us, 2 samples.
# Watchdog (Linux 6.12, HZ 1000, max skew 125 us: tsc and hpet margins 250 us,
# md 500 us, interval limit 1 s): 497721239 - 495997815 = 1723424 ns >
# md: unstable, as the line says; 100 ns of skew: stable, the line says
# unstable (disagrees); 1.5 s: a long readout, skipped, as the line says.
run_judge 1 host "$dir/host.jsonl"
has "$tmp/out" "  host check page_step (replayed from 3 pvclock lines): FAIL  worst -1.000 us, 1 violations in 1 samples" host
has "$tmp/out" "      first: at 0.000000200 s (line 5) a rewrite of vCPU 0's page steps kvmclock back by 1.000 us: at guest TSC 3000000 the old page gives 6000000 ns, the new one 5999000 ns" host
has "$tmp/out" "  host check cross_vcpu (replayed from 3 pvclock lines): FAIL  worst -1.000 us, 1 violations in 2 samples" host
has "$tmp/out" "  host check watchdog (replayed from 3 watchdog lines): FAIL  worst +1.723 ms, 2 violations in 3 samples" host
has "$tmp/out" "      note: 3 watchdog lines: 1 replayed as unstable, 1 as skipped (long readout); the lines' own decisions: 2 agree, 1 disagree, 0 give none; 0 name a clocksource whose rate is unknown" host
# The JSON report: the same verdict in sim run's shapes.
run_judge 1 json --json - "$dir/order.jsonl"
grep -q '"compared_with": "other_reader"' "$tmp/out" || fail "json: no compared_with"
grep -q '"format": "sim-judge/1"' "$tmp/out" || fail "json: no format"

# 2. Bad input: exit 2, file:line:col, the key, what was expected.  The
# column is the offending value's (1 when the line as a whole is at fault):
# counted by hand in each line below.
bad() {
	case_name=$1
	case_want=$2
	shift 2
	printf '%s\n' "$@" >"$tmp/$case_name.jsonl"
	run_judge 2 "$case_name" "$tmp/$case_name.jsonl"
	grep -qF -- "$case_name.jsonl:$case_want" "$tmp/err" ||
		fail "$case_name: expected \"$case_want\", got: $(cat "$tmp/err")"
}
hdr='{"type":"header","format":"sim-trace","version":1,"producer":"t","cpus":2}'
bad newer "1:49: error: /version: version 2 is newer than this sim reads (1)" \
	'{"type":"header","format":"sim-trace","version":2,"producer":"t"}'
bad noheader "1:1: error: /type: a trace starts with its header line" \
	'{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1}'
bad unknown "2:1: error: /type: unknown line type \"kvm_exit\"" "$hdr" '{"type":"kvm_exit"}'
bad seq "3:31: error: /seq: 1 does not follow vCPU 0's previous seq 1" "$hdr" \
	'{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1,"order":1}' \
	'{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":2,"order":2}'
bad order "3:66: error: /order: 1 does not follow the previous read's order 5" "$hdr" \
	'{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1,"order":5}' \
	'{"type":"read","vcpu":1,"seq":1,"clock":"c","value_ns":2,"order":1}'
bad vcpu "2:23: error: /vcpu: vCPU 2 is not below the header's \"cpus\" (2)" "$hdr" \
	'{"type":"read","vcpu":2,"seq":1,"clock":"c","value_ns":1,"order":1}'
bad kind "2:56: error: /value_ns: expected an integer" "$hdr" \
	'{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1.5}'
bad syntax "2:16: error: expected ',' or '}'" "$hdr" '{"type":"read" "vcpu":0}'
bad missing "2:1: error: a \"read\" line needs \"seq\"" "$hdr" \
	'{"type":"read","vcpu":0,"clock":"c","value_ns":1}'
bad noref "2:1: error: /order: mono_causal needs \"order\" or the reference bracket" \
	"$hdr" '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1}'
long=$(head -c 5000 /dev/zero | tr '\0' 'x')
bad long "2:1: error: a line longer than 4096 bytes" "$hdr" "{\"src\":\"$long\"}"
printf '%s\n' '{"checks": {"step_back": {"threshold": "1 parsec"}}}' >"$tmp/p1.json"
run_judge 2 policy --policy "$tmp/p1.json" "$dir/order.jsonl"
grep -q 'p1.json:1:40: error: /checks/step_back/threshold: ' "$tmp/err" || fail "policy: $(cat "$tmp/err")"
printf '%s\n' '{"chekcs": {}}' >"$tmp/p2.json"
run_judge 2 policy_key --policy "$tmp/p2.json" "$dir/order.jsonl"
grep -q 'p2.json:1:2: error: /chekcs: unknown key' "$tmp/err" || fail "policy_key: $(cat "$tmp/err")"
run_judge 2 threshold --threshold mono_vcpu=1us "$dir/order.jsonl"

# 3. Round trip on library scenarios: passing (migrate_slow: a VM paused by
# a migration; multisocket_tsc_skew: bare metal), mono_causal failing
# (pvclock_unstable_tsc), step_back failing (migrate_host_uptime),
# consumer_abort (beam_abort), rate and max_error (legacy_tsc_cstate_pstate).
# The policy is each reader's "checks" object, unchanged, under its name.
verdicts() {
	awk '/^  (reader|clock) / { inside = 1; next }
	     /^  [^ ]/ { inside = 0 }
	     inside && /^    / && !/^      cause: / { print }' "$1"
}
py=/usr/bin/python3
for n in migrate_slow multisocket_tsc_skew pvclock_unstable_tsc migrate_host_uptime beam_abort \
	 legacy_tsc_cstate_pstate; do
	f=$root/scenarios/$n.json
	"$sim" run "$f" --trace "$tmp/$n.jsonl" >"$tmp/$n.run"
	run_status=$?
	"$py" -c 'import json, sys
s = json.load(open(sys.argv[1]))
json.dump({"clocks": {r["name"]: r.get("checks", {}) for r in s.get("readers", [])}}, sys.stdout)' \
		"$f" >"$tmp/$n.policy"
	"$sim" judge --policy "$tmp/$n.policy" "$tmp/$n.jsonl" >"$tmp/$n.judge" 2>"$tmp/err"
	judge_status=$?
	verdicts "$tmp/$n.run" >"$tmp/$n.a"
	verdicts "$tmp/$n.judge" >"$tmp/$n.b"
	if [ ! -s "$tmp/$n.a" ] || ! cmp -s "$tmp/$n.a" "$tmp/$n.b"; then
		fail "round trip $n: sim run and sim judge differ (status $run_status, $judge_status):"
		diff "$tmp/$n.a" "$tmp/$n.b" | head -20 >&2
		cat "$tmp/err" >&2
	fi
done

# 4. docs/trace-format.md's examples, as a user would run them: the sh block
# (sim run --trace, then sim judge: the tsc reader's max_error fails across
# the migration, exit 1), and the policy, which must load and judge.
doc=$root/docs/trace-format.md
sed -n '/^```sh$/,/^```$/p' "$doc" | grep '^sim ' |
	sed "s|^sim |\"\$sim\" |; s|/tmp/t.jsonl|\$tmp/doc.jsonl|; s|scenarios/|\$root/scenarios/|" >"$tmp/doc.sh"
[ "$(wc -l <"$tmp/doc.sh")" -eq 2 ] || fail "docs: expected 2 commands in the sh example"
(sim=$sim tmp=$tmp root=$root; . "$tmp/doc.sh") >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "docs example: exit status, expected 1"
has "$tmp/out" "    max_error    FAIL  worst -1.866287 s (threshold 1.000 ms), 4699 violations in 9698 samples" docs
sed -n '/^### Policy$/,/^| key/p' "$doc" | sed -n '/^```json$/,/^```$/p' | sed '1d;$d' >"$tmp/policy.json"
run_judge 1 docs_policy --policy "$tmp/policy.json" "$tmp/doc.jsonl"
has "$tmp/out" "  clock tsc (on vCPU 0; judged by reference bracket): 9699 reads" docs_policy

[ "$fails" -eq 0 ] && echo "judge: all checks hold"
[ "$fails" -eq 0 ]
