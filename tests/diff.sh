#!/bin/sh
# `sim diff` between the datasheet profile and --compat qemu-7.2 on every qtest
# script (tests/qtest/*.in, tests/diff/*.in): each difference must be labelled
# by sim/devices/known/qemu-7.2.json, and tests/diff/NAME.expect pins the
# differences of the diff scripts (request, id, qemu-7.2 answer; derived in
# tests/diff/README.md).  Then the error paths, and a real QEMU when
# QTEST_QEMU_BINARY names one.  Usage: diff.sh SIM SRCDIR
set -u
sim=$1
src=$2
known=$src/sim/devices/known/qemu-7.2.json
base='-rtc base=2006-06-17T16:01:21'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
total_req=0
total_diff=0

bad() {
	echo "FAIL: $*"
	fail=1
}

# "N ID B-ANSWER" for each difference of a human report.
pairs() {
	awk '/^#[0-9]+ /{n=substr($1,2)} /^  b: /{b=substr($0,6)} /^  known /{print n, $2, b} /^  NEW/{print n, "NEW", b}' "$1"
}

for f in "$src"/tests/qtest/*.in "$src"/tests/diff/*.in; do
	name=$(basename "$f" .in)
	"$sim" diff "$f" --a "sim:$base" --b "sim:--compat qemu-7.2 $base" --known "$known" \
		>"$tmp/out" 2>"$tmp/err"
	st=$?
	summary=$(tail -n 1 "$tmp/out")
	if [ $st -ne 0 ]; then
		bad "$name: sim diff exited $st (want 0: every difference known)"
		cat "$tmp/out" "$tmp/err"
		continue
	fi
	ids=$(pairs "$tmp/out" | awk '{print $2}' | sort | uniq -c | awk '{printf " %s x%s", $2, $1}')
	echo "diff $name: $summary;$ids"
	req=$(echo "$summary" | awk '{print $1}')
	nd=$(echo "$summary" | awk '{print $3}')
	total_req=$((total_req + req))
	total_diff=$((total_diff + nd))
	exp=${f%.in}.expect
	if [ -f "$exp" ] && ! pairs "$tmp/out" | diff -u "$exp" - >"$tmp/d"; then
		bad "$name: differences are not those of $(basename "$exp")"
		cat "$tmp/d"
	fi
done
echo "diff: $total_req requests, $total_diff differences between the profiles, all known"

# A peer through cmd:, answering with QEMU 7.2's measured replies: P15 and H1 label them.
"$sim" diff "$src/tests/diff/board.in" --a sim --b "cmd:sh $src/tests/diff/qemu72_replies.sh" \
	--known "$known" >"$tmp/out" 2>&1 || bad "board.in against qemu72_replies.sh exited $?"
pairs "$tmp/out" | diff -u "$src/tests/diff/board.peer.expect" - ||
	bad "board.in: differences are not those of board.peer.expect"

# docs/qtest.md's examples: the diff above (rtc_update, same specs) and this session.
grep -v '^#' "$src/tests/diff/protocol.in" |
	"$sim" qtest --compat qemu-7.2 -rtc base=2006-06-17T16:01:21 >"$tmp/out" 2>&1
printf '%s\n' 'OK 0' 'FAIL Unknown device' OK 'OK 1000' 'OK 1000' 'OK 1000' 'OK 1000' 'OK 2000' |
	diff -u - "$tmp/out" || bad "sim qtest --compat qemu-7.2 < tests/diff/protocol.in"

# Without the known file the same differences are new: exit 1.
"$sim" diff "$src/tests/diff/protocol.in" --a sim --b "sim:--compat qemu-7.2" >"$tmp/out" 2>&1
[ $? -eq 1 ] || bad "unlabelled differences must exit 1"
grep -q 'NEW: no known deviation matches' "$tmp/out" || bad "unlabelled differences must say NEW"

# The JSON report counts what the text does.
"$sim" diff "$src/tests/diff/protocol.in" --a sim --b "sim:--compat qemu-7.2" --known "$known" \
	--json - >"$tmp/json" 2>&1 || bad "--json - exited $?"
grep -q '"differences": 5' "$tmp/json" && grep -q '"new": 0' "$tmp/json" &&
	grep -q '"id": "Q4"' "$tmp/json" || { bad "--json: unexpected report"; cat "$tmp/json"; }

# A side that exits, a side that hangs, bad specs, bad known files: exit 2, clear words.
expect2() {
	what=$1
	pattern=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ $st -ne 2 ] || ! grep -q -- "$pattern" "$tmp/err"; then
		bad "$what: want exit 2 and '$pattern', got $st"
		cat "$tmp/err"
	fi
}
p=$src/tests/diff/protocol.in
expect2 "side exits" "side b (cmd:exit 3) exited with status 3 before request 1\|side b (cmd:exit 3) exited with status 3 answering request 1" \
	"$sim" diff "$p" --a sim --b "cmd:exit 3"
expect2 "side hangs" "side b (cmd:sleep 5) did not answer request 1 within 300 ms" \
	"$sim" diff "$p" --a sim --b "cmd:sleep 5" --timeout-ms 300
expect2 "side floods" "side b (cmd:yes 'IRQ raise 0') answered request 1 with more than 4 MiB of IRQ lines" \
	"$sim" diff "$p" --a sim --b "cmd:yes 'IRQ raise 0'"
head -c 5000 /dev/zero | tr '\0' x >"$tmp/long.in"
expect2 "long request" "long.in:1:1: error: a request longer than 4095 bytes" \
	"$sim" diff "$tmp/long.in" --a sim --b sim
expect2 "bad spec" "expected sim, sim:OPTIONS or cmd:COMMAND" "$sim" diff "$p" --a qemu --b sim
expect2 "missing side" "both --a SPEC and --b SPEC are needed" "$sim" diff "$p" --a sim
expect2 "no script" "cannot open" "$sim" diff "$tmp/none.in" --a sim --b sim
printf '{"format": 1, "peer": "x", "deviations": [\n {"id": "X", "kind": "deviation", "summary": "s",\n  "citation": "c", "match": {"command": "(("}}]}\n' >"$tmp/k1.json"
expect2 "bad regex" "k1.json:3:41: error: /deviations/0/match/command: not a POSIX extended regex" \
	"$sim" diff "$p" --a sim --b sim --known "$tmp/k1.json"
printf '{"format": 1, "peer": "x", "deviations": [\n {"id": "X", "kind": "oops", "summary": "s",\n  "citation": "c", "match": {"command": "a"}}]}\n' >"$tmp/k2.json"
expect2 "bad kind" "k2.json:2:22: error: /deviations/0/kind: kind 'oops'" \
	"$sim" diff "$p" --a sim --b sim --known "$tmp/k2.json"
printf '{"format": 1, "peer": "x", "deviations": [{"id": "X", "kind": "deviation",\n "summary": "s", "citation": "c", "match": {"cmd": "a"}}]}\n' >"$tmp/k3.json"
expect2 "unknown key" "k3.json:2:45: error: /deviations/0/match/cmd: unknown key 'cmd'" \
	"$sim" diff "$p" --a sim --b sim --known "$tmp/k3.json"
# Every known file entry has an id and a citation; the file covers every measured item.
for id in P1 P2 P3 P4 P5 P6 P7 P8 P9 P10 P11 P12 P13 P14 P15 P16 P17 P18 P19 P20 P21 \
	R1 R2 R3 R4 R5 R6 R7 R8 R9 R10 R11 R12 R13 R14 H1 H2 H3 H4 H5 H6 H7 H8 H9 H10 H11 H12 H13 \
	A1 A2 Q1 Q2 Q3 Q4 Q5 Q6 Q7; do
	grep -q "\"id\": \"$id\"" "$known" || bad "$known has no entry $id"
done

if [ -n "${QTEST_QEMU_BINARY:-}" ]; then
	qemu="cmd:$QTEST_QEMU_BINARY -machine pc -accel qtest -qtest stdio -display none -nodefaults $base"
	for f in "$src"/tests/qtest/*.in "$src"/tests/diff/*.in; do
		"$sim" diff "$f" --a "sim:$base" --b "$qemu" --known "$known" --tolerance-ns 1000 \
			>"$tmp/out" 2>&1
		st=$?
		echo "diff $(basename "$f" .in) against $QTEST_QEMU_BINARY: $(tail -n 1 "$tmp/out")"
		[ $st -eq 0 ] || { bad "$(basename "$f"): exit $st against QEMU"; cat "$tmp/out"; }
	done
else
	echo "diff against QEMU: skipped, QTEST_QEMU_BINARY is not set (docs/qtest.md: a qtest-capable QEMU on Debian 12)"
fi
exit $fail
