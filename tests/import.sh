#!/bin/sh
# `sim import` on the hand-written samples of tests/import/ (docs/importers.md):
#  - each SAMPLE.txt (its name starts with the format: trace-cmd-, perf-,
#    dmesg-) gives exactly SAMPLE.jsonl on stdout and SAMPLE.stderr on
#    stderr, exit 0, and the same again from standard input and with -o;
#  - each bad/SAMPLE.txt exits 2 with exactly bad/SAMPLE.stderr on stderr and
#    leaves no -o file behind;
#  - with `sim judge` (when this sim has it), each SAMPLE.txt with a
#    SAMPLE.verdict is imported and judged: the verdict file's first line is
#    the exit status derived by hand (the comments of the samples show how),
#    the others are strings the judge's report must hold;
#  - every expected output validates against docs/trace.schema.json (with
#    /usr/bin/python3's jsonschema, which tools/bootstrap installs);
#  - usage errors exit 2;
#  - every example of docs/importers.md: a ```text block after an
#    `<!-- import: FORMAT -->` comment, read from standard input, gives the
#    records of the ```json block after it.
# Usage: import.sh SIM TESTS_IMPORT_DIR DOCS_DIR
set -u
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
docs=$3
tests=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
count=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
format_of() {
	case $1 in
	trace-cmd-*) echo trace-cmd ;;
	perf-*) echo perf ;;
	dmesg-*) echo dmesg ;;
	*) echo unknown ;;
	esac
}

cd "$dir" || exit 2
for f in *.txt; do
	base=${f%.txt}
	fmt=$(format_of "$base")
	count=$((count + 1))
	"$sim" import "$fmt" "$f" >"$tmp/out" 2>"$tmp/err"
	status=$?
	[ $status -eq 0 ] || fail "$f: exit $status, expected 0: $(cat "$tmp/err")"
	cmp -s "$tmp/out" "$base.jsonl" || { fail "$f: output differs from $base.jsonl"; diff "$base.jsonl" "$tmp/out" | head -20; }
	cmp -s "$tmp/err" "$base.stderr" || { fail "$f: stderr differs from $base.stderr"; diff "$base.stderr" "$tmp/err"; }
	# standard input: the same records, the name "<stdin>" in "src"
	"$sim" import "$fmt" - <"$f" >"$tmp/stdin" 2>/dev/null
	sed "s/\"$f/\"<stdin>/g" "$base.jsonl" >"$tmp/want"
	cmp -s "$tmp/stdin" "$tmp/want" || fail "$f: from standard input, the output differs"
	"$sim" import "$fmt" "$f" -o "$tmp/o.jsonl" 2>/dev/null
	cmp -s "$tmp/o.jsonl" "$base.jsonl" || fail "$f: -o wrote something else"
done

for f in bad/*.txt; do
	name=${f#bad/}
	base=${name%.txt}
	fmt=$(format_of "$base")
	count=$((count + 1))
	(cd bad && "$sim" import "$fmt" "$name" -o "$tmp/bad.jsonl" >/dev/null 2>"$tmp/err")
	status=$?
	[ $status -eq 2 ] || fail "$f: exit $status, expected 2"
	cmp -s "$tmp/err" "bad/$base.stderr" || { fail "$f: stderr differs"; diff "bad/$base.stderr" "$tmp/err"; }
	[ ! -e "$tmp/bad.jsonl" ] || fail "$f: the -o file was left behind"
	rm -f "$tmp/bad.jsonl"
done

# import, then judge: the verdicts derived by hand
if "$sim" --help 2>/dev/null | grep -q '^  judge '; then
	for v in *.verdict; do
		base=${v%.verdict}
		count=$((count + 1))
		"$sim" import "$(format_of "$base")" "$base.txt" -o "$tmp/j.jsonl" 2>/dev/null
		"$sim" judge "$tmp/j.jsonl" >"$tmp/verdict" 2>&1
		status=$?
		want=$(head -n 1 "$v")
		[ "$status" = "$want" ] || { fail "$base: sim judge exit $status, expected $want"; cat "$tmp/verdict"; }
		tail -n +2 "$v" | while IFS= read -r s; do
			grep -qF -- "$s" "$tmp/verdict" || echo "FAIL: $base: the verdict lacks '$s'"
		done >"$tmp/missing"
		if [ -s "$tmp/missing" ]; then
			cat "$tmp/missing"
			fails=$((fails + 1))
		fi
	done
else
	echo "import: this sim has no 'judge' command: imports not judged"
fi

# the expected outputs against the trace schema
if [ -x /usr/bin/python3 ]; then
	count=$((count + 1))
	/usr/bin/python3 "$tests/trace_validate.py" "$docs/trace.schema.json" 1000000 ./*.jsonl
	status=$?
	[ $status -eq 0 ] || [ $status -eq 77 ] || fail "an expected output does not match docs/trace.schema.json"
fi

# usage errors
for args in "" "trace-cmd" "nosuch trace-cmd-host.txt" "perf perf-host.txt extra" \
	"perf perf-host.txt -o" "dmesg --nosuch dmesg-guest.txt" "dmesg /nonexistent/file"; do
	count=$((count + 1))
	# shellcheck disable=SC2086  # word splitting is the point
	"$sim" import $args >/dev/null 2>"$tmp/err"
	status=$?
	[ $status -eq 2 ] || fail "sim import $args: exit $status, expected 2"
	[ -s "$tmp/err" ] || fail "sim import $args: no message"
done
"$sim" import --help | grep -q '^usage: sim import FORMAT FILE' || fail "sim import --help"
"$sim" --help | grep -q 'import FORMAT FILE' || fail "sim --help does not list import"

# docs/importers.md: input blocks and their records
perl -e '
	my ($out, $doc) = @ARGV;
	open my $fh, "<", $doc or die "$doc: $!\n";
	my ($n, $fmt, $state, $text) = (0, "", "", "");
	while (my $line = <$fh>) {
		if ($line =~ /<!--\s*import:\s*(\S+)\s*-->/) {
			($fmt, $state) = ($1, "want_text");
		} elsif ($state eq "want_text" && $line =~ /^```text\s*$/) {
			($state, $text) = ("text", "");
		} elsif ($state eq "text" && $line =~ /^```\s*$/) {
			$n++;
			open my $o, ">", "$out/doc$n.txt" or die;
			print $o $text;
			close $o;
			open $o, ">", "$out/doc$n.fmt" or die;
			print $o "$fmt $.\n";
			close $o;
			$state = "want_json";
		} elsif ($state eq "want_json" && $line =~ /^```json\s*$/) {
			($state, $text) = ("json", "");
		} elsif ($state eq "json" && $line =~ /^```\s*$/) {
			open my $o, ">", "$out/doc$n.want" or die;
			print $o $text;
			close $o;
			$state = "";
		} elsif ($state eq "text" || $state eq "json") {
			$text .= $line;
		}
	}
' "$tmp" "$docs/importers.md" || exit 2
docs_count=0
for f in "$tmp"/doc*.txt; do
	[ -e "$f" ] || continue
	n=${f%.txt}
	read -r fmt where <"$n.fmt"
	count=$((count + 1))
	docs_count=$((docs_count + 1))
	if [ ! -e "$n.want" ]; then
		fail "docs/importers.md:$where: no json block after the example"
		continue
	fi
	"$sim" import "$fmt" - <"$f" 2>/dev/null | tail -n +2 >"$tmp/got"
	cmp -s "$tmp/got" "$n.want" || { fail "docs/importers.md:$where: the $fmt example gives other records"; diff "$n.want" "$tmp/got"; }
done
[ $docs_count -gt 0 ] || fail "docs/importers.md has no examples"

echo "import: $count cases ($docs_count from docs/importers.md), $fails failed"
[ $fails -eq 0 ]
