#!/bin/sh
# The command line: help, version, exit codes 0/1/2, error format, JSON
# output and `sim pvclock scale` against a value a real KVM host writes.
set -u
sim="$1"
scenarios="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

expect_status() {  # expected-status description command...
	want=$1
	what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got, expected $want" >&2
		cat "$tmp/out" "$tmp/err" >&2
		fails=$((fails + 1))
	fi
}

expect_output() {  # file pattern description
	if ! grep -qE -- "$2" "$1"; then
		echo "FAIL: $3: no line matching /$2/ in:" >&2
		cat "$1" >&2
		fails=$((fails + 1))
	fi
}

expect_status 0 "--version" "$sim" --version
expect_output "$tmp/out" '^sim [0-9]+\.[0-9]+\.[0-9]+$' "--version"
expect_status 0 "--help" "$sim" --help
expect_output "$tmp/out" '^usage: sim COMMAND' "--help"
for c in run validate pvclock; do
	expect_status 0 "$c --help" "$sim" $c --help
	expect_output "$tmp/out" "^usage: sim $c" "$c --help"
done
expect_status 2 "no command" "$sim"
expect_status 2 "unknown command" "$sim" frobnicate
expect_status 2 "run without files" "$sim" run
expect_status 2 "unknown option" "$sim" run --frob "$scenarios/migrate_slow.json"
expect_status 2 "bad seed" "$sim" run --seed x "$scenarios/migrate_slow.json"
expect_status 2 "--trace without a file" "$sim" run "$scenarios/migrate_slow.json" --trace
expect_status 2 "--json without a file" "$sim" run "$scenarios/migrate_slow.json" --json
expect_status 2 "unwritable --json" "$sim" run --json "$tmp/no/such/dir.json" "$scenarios/migrate_slow.json"
expect_output "$tmp/err" "cannot write $tmp/no/such/dir.json" "unwritable --json message"

# A real KVM host with a 2.1 GHz TSC writes tsc_shift -1, tsc_to_system_mul 0xf3cf3cf3.
expect_status 0 "pvclock scale" "$sim" pvclock scale 2100000000
expect_output "$tmp/out" '^shift +-1$' "pvclock scale shift"
expect_output "$tmp/out" '^mul +0xf3cf3cf3 ' "pvclock scale mul"
expect_status 0 "pvclock scale --json" "$sim" pvclock scale --json 2.1GHz
expect_output "$tmp/out" '"tsc_hz": 2100000000' "pvclock json tsc_hz"
expect_output "$tmp/out" '"tsc_khz": 2100000' "pvclock json tsc_khz"
expect_output "$tmp/out" '"shift": -1' "pvclock json shift"
expect_output "$tmp/out" '"mul": 4090445043' "pvclock json mul"
expect_status 2 "pvclock scale junk" "$sim" pvclock scale 3furlongs

# Invalid input: exit 2, file:line:col: error: /path: message.
printf '{ "name": "x",\n  "duration": 10 }\n' >"$tmp/bad.json"
expect_status 2 "wrong type" "$sim" run "$tmp/bad.json"
expect_output "$tmp/err" "bad.json:2:15: error: /duration: " "wrong type message"
expect_status 2 "validate wrong type" "$sim" validate "$tmp/bad.json"
printf '{ "name": "x", ' >"$tmp/syntax.json"
expect_status 2 "syntax error" "$sim" validate "$tmp/syntax.json"
expect_output "$tmp/err" "syntax.json:1:[0-9]+: error: " "syntax error message"
expect_status 2 "missing file" "$sim" run "$tmp/none.json"
expect_output "$tmp/err" "none.json: error: cannot read" "missing file message"

# Valid files: 0; an expectation that does not hold: 1.
expect_status 0 "validate" "$sim" validate "$scenarios/migrate_slow.json"
expect_status 0 "run migrate_slow" "$sim" run "$scenarios/migrate_slow.json"
expect_output "$tmp/out" 'result: all [0-9]+ expectations hold' "summary line"
sed 's/"expect": "fail"/"expect": "pass"/' "$scenarios/migrate_slow.json" >"$tmp/wrong.json"
expect_status 1 "unmet expectation" "$sim" run "$tmp/wrong.json"
expect_output "$tmp/out" 'DOES NOT HOLD' "unmet expectation summary"

# Machine-readable report.
expect_status 0 "--json -" "$sim" run --json - --seed 7 "$scenarios/migrate_slow.json"
expect_output "$tmp/out" '^\{$' "json starts an object"
expect_output "$tmp/out" '^  "format": "sim-report/2",$' "json format version"
expect_output "$tmp/out" '"seed": 7,' "json seed override"
expect_output "$tmp/out" '"expectations_met": ' "json tally"
if grep -q 'result:' "$tmp/out"; then
	echo "FAIL: --json - mixed the human summary into stdout" >&2
	fails=$((fails + 1))
fi
expect_status 0 "--json FILE" "$sim" run --json "$tmp/r.json" "$scenarios/migrate_slow.json"
expect_output "$tmp/r.json" '"status": "expectations_hold"' "json file status"

# --trace: sim-trace v1 (docs/trace-format.md), a header line first, then
# every record of the run.  One migration is two VMM phases (stop, resume);
# every read the report counts is one "read" line; no page is written during
# the downtime.
expect_status 0 "--trace FILE" "$sim" run --trace "$tmp/t.jsonl" --json "$tmp/tr.json" \
	"$scenarios/migrate_slow.json"
expect_output "$tmp/t.jsonl" '^\{"type":"header","format":"sim-trace","version":1,.*"scenario":"migrate_slow","seed":1,"src":"[^"]*migrate_slow.json"\}$' "trace header"
if grep -vqE '^\{"type":"[a-z_]+",' "$tmp/t.jsonl"; then
	echo "FAIL: --trace: a line that is not a record" >&2
	fails=$((fails + 1))
fi
phases=$(grep -c '"type":"vmm_phase"' "$tmp/t.jsonl")
reads=$(grep -c '"type":"read"' "$tmp/t.jsonl")
reported=$(grep -E '"reads": [0-9]+' "$tmp/tr.json" | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }')
if [ "$phases" -ne 2 ] || [ "$reads" -eq 0 ] || [ "$reads" -ne "$reported" ]; then
	echo "FAIL: --trace: $phases VMM phases (expected 2), $reads reads (report: $reported)" >&2
	fails=$((fails + 1))
fi
# Pages written inside the 300 ms downtime (5 s .. 5.3 s): none.
if grep '"type":"pvclock"' "$tmp/t.jsonl" |
	grep -oE '"ref":[0-9]+' | cut -d: -f2 |
	awk '$1 > 5000000000000 && $1 < 5300000000000 { bad = 1 } END { exit !bad }'; then
	echo "FAIL: --trace: a pvclock page written during the downtime" >&2
	fails=$((fails + 1))
fi

# Every error in a file is reported (up to 20), each with its position, in
# file order; then one line says how many more were left out.
cat >"$tmp/multi.json" <<'JSON'
{
  "name": "multi",
  "duration": "1s",
  "hosts": [ { "name": "A", "tsc": "3GHz", "uptme": "1h", "sockets": [ { "cpus": 2 } ] } ],
  "vm": { "host": "A", "vcpus": 2 },
  "readers": [ { "name": "kc", "kind": "pvclock", "vcpus": "all", "period": "1ms",
                 "checks": { "mono_vcpu": { "expect": "pass" } } } ],
  "scripts": [ { "name": "s", "expect": "maybe", "commands": [ "outb 0x70 0x00" ] } ]
}
JSON
expect_status 2 "a file with three errors" "$sim" validate "$tmp/multi.json"
if [ "$(grep -c ': error: ' "$tmp/err")" -ne 3 ] ||
	! grep -q 'multi.json:4:44: error: /hosts/0/uptme: unknown key "uptme"' "$tmp/err" ||
	! grep -q 'multi.json:4:14: error: /hosts/0/uptime: missing required key "uptime"' "$tmp/err" ||
	! grep -q 'multi.json:8:41: error: /scripts/0/expect: expected one of "pass", "fail", got "maybe"' "$tmp/err"; then
	echo "FAIL: three errors in one file: not all reported with their positions:" >&2
	cat "$tmp/err" >&2
	fails=$((fails + 1))
fi
{	# 16 readers of an unknown kind and 16 scripts with a bad "expect": 32 errors
	printf '{ "name": "many", "duration": "1s",\n'
	printf ' "hosts": [ { "name": "A", "tsc": "3GHz", "uptime": "1h", "sockets": [ { "cpus": 2 } ] } ],\n'
	printf ' "vm": { "host": "A", "vcpus": 2 },\n "readers": [\n'
	for k in $(seq 1 16); do
		sep=","; [ "$k" -eq 16 ] && sep=""
		printf '  { "name": "r%d", "kind": "pvclok", "vcpus": "all", "period": "1ms", "checks": { "mono_vcpu": { "expect": "pass" } } }%s\n' "$k" "$sep"
	done
	printf '],\n "scripts": [\n'
	for k in $(seq 1 16); do
		sep=","; [ "$k" -eq 16 ] && sep=""
		printf '  { "name": "s%d", "expect": "maybe", "commands": [ "outb 0x70 0x00" ] }%s\n' "$k" "$sep"
	done
	printf '] }\n'
} >"$tmp/many.json"
expect_status 2 "a file with 32 errors" "$sim" validate "$tmp/many.json"
if [ "$(grep -c ': error: /' "$tmp/err")" -ne 20 ] ||
	! grep -q 'more errors were suppressed' "$tmp/err"; then
	echo "FAIL: 32 errors: expected the first 20 and a line saying more were left out:" >&2
	cat "$tmp/err" >&2
	fails=$((fails + 1))
fi

# The README's sample output is what `sim run scenarios/migrate_slow.json` prints.
awk '/^`sim run scenarios\/migrate_slow.json` prints:$/ { on = 1; next }
     on && /^```$/ { if (in_block) exit; in_block = 1; next }
     in_block { print }' "$scenarios/../README.md" >"$tmp/readme_sample"
sim_abs=$(cd "$(dirname "$sim")" && pwd)/$(basename "$sim")
(cd "$scenarios/.." && "$sim_abs" run scenarios/migrate_slow.json) >"$tmp/readme_actual"
if [ ! -s "$tmp/readme_sample" ] || ! cmp -s "$tmp/readme_sample" "$tmp/readme_actual"; then
	echo "FAIL: README.md's sample output differs from the run:" >&2
	diff "$tmp/readme_sample" "$tmp/readme_actual" >&2
	fails=$((fails + 1))
fi

# sim-report/2 (docs/report-format.md): every number is an integer, and every
# key holding one ends in its unit or names what it counts or indexes.  Checked
# on every committed golden report, so a new key must follow the convention.
for g in "$scenarios"/../tests/golden/*.json; do
	if grep -nE ': -?[0-9]+\.[0-9]+,?$' "$g" >"$tmp/frac"; then
		echo "FAIL: $g: a number with a fraction:" >&2
		cat "$tmp/frac" >&2
		fails=$((fails + 1))
	fi
	grep -oE '"[a-z_]+": ("-?[0-9]+"|-?[0-9]+),?$' "$g" | sed 's/":.*//; s/^"//' |
		grep -vE '_(ps|ns|ppb|cycles|khz)$' |
		grep -vxE 'seed|events|pvclock_page_writes|expectations|expectations_met|reads|version_retries|guarded|violations|samples|commands|commands_run|checks|mismatches|vcpu|other_vcpu' \
		>"$tmp/keys"
	if [ -s "$tmp/keys" ]; then
		echo "FAIL: $g: numeric keys without a unit:" >&2
		sort -u "$tmp/keys" >&2
		fails=$((fails + 1))
	fi
done

# File-provided text in the human report cannot drive the terminal: a file
# name holding an escape sequence is printed with the escape spelled out.
esc=$(printf '\033')
cp "$scenarios/pit_modes.json" "$tmp/x${esc}[2Jy.json"
expect_status 0 "run a file whose name holds ESC" "$sim" run "$tmp/x${esc}[2Jy.json"
if grep -q "$esc" "$tmp/out"; then
	echo "FAIL: the report printed a raw ESC byte" >&2
	fails=$((fails + 1))
fi
expect_output "$tmp/out" 'x\\x1b\[2Jy\.json' "ESC in a file name is printed as \\x1b"

# The same in error lines: the file's name, and a syntax error's quote of the
# file's own bytes (an ESC sequence, and a lone 0x9b, CSI on 8-bit terminals).
printf '{"name": "x", \033[2J \233[2J }' >"$tmp/bad${esc}[2J.json"
expect_status 2 "a file with a syntax error whose name and text hold ESC" \
	"$sim" validate "$tmp/bad${esc}[2J.json"
if LC_ALL=C grep -q "$(printf '[\033\233]')" "$tmp/err"; then
	echo "FAIL: an error line printed a raw ESC or 0x9b byte" >&2
	fails=$((fails + 1))
fi
expect_output "$tmp/err" 'bad\\x1b\[2J\.json' "ESC in an error line's file name is printed as \\x1b"

[ $fails -eq 0 ] && echo "cli: ok"
exit $fails
