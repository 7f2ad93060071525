#!/bin/sh
# The hostile-scenario corpus: every tests/hostile/NAME.json is a scenario
# that sim must refuse cleanly, and NAME.expect says how, one directive a line:
#   error: TEXT      required (one or more): `sim run` exits 2 within 20 s and
#                    its stderr contains each TEXT (with the JSON path, when
#                    there is one)
#   validate: pass   `sim validate` may accept the file (it is refused only
#                    when run); by default validate must refuse it as run does
#   schema: reject   docs/scenario.schema.json refuses it too (checked by the
#                    schema test, not here)
# Blank lines and lines starting with # are ignored.  A crash, a hang, another
# exit status or a missing message is a failure, each reported with its file.
set -u
sim="$1"
dir="$2"
limit_s=20
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
cases=0

fail() {  # name message
	echo "FAIL: $1: $2" >&2
	fails=$((fails + 1))
}

# Runs sim COMMAND FILE under the time limit; the status goes to $rc.
run() {
	timeout "$limit_s" "$sim" "$1" "$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# Checks the last run against the expected error texts: status 2, every text in stderr.
check() {  # name what
	case $rc in
	2) ;;
	124) fail "$1" "$2 did not end within $limit_s s"; return ;;
	0) fail "$1" "$2 accepted the file (exit 0)"; return ;;
	*) fail "$1" "$2 exited $rc (expected 2)"; sed 's/^/    /' "$tmp/err" | head -5 >&2; return ;;
	esac
	while IFS= read -r text; do
		if ! grep -qF -- "$text" "$tmp/err"; then
			fail "$1" "$2: no \"$text\" in its error:"
			sed 's/^/    /' "$tmp/err" | head -5 >&2
		fi
	done <"$tmp/errors"
}

for expect in "$dir"/*.expect; do
	[ -e "$expect" ] || continue
	[ -e "${expect%.expect}.json" ] || fail "$(basename "$expect")" "no .json beside it"
done

for json in "$dir"/*.json; do
	[ -e "$json" ] || continue
	name=$(basename "$json" .json)
	expect="$dir/$name.expect"
	cases=$((cases + 1))
	if [ ! -f "$expect" ]; then
		fail "$name" "no $name.expect"
		continue
	fi
	: >"$tmp/errors"
	validate_pass=false
	bad=false
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		''|'#'*) ;;
		'error: '?*) printf '%s\n' "${line#error: }" >>"$tmp/errors" ;;
		'validate: pass') validate_pass=true ;;
		'schema: reject') ;;
		*) fail "$name" "unknown directive in $name.expect: $line"; bad=true ;;
		esac
	done <"$expect"
	if [ ! -s "$tmp/errors" ]; then
		fail "$name" "$name.expect has no \"error:\" line"
		bad=true
	fi
	$bad && continue

	run run "$json"
	check "$name" "sim run"
	run validate "$json"
	if $validate_pass && [ $rc -eq 0 ]; then
		continue
	fi
	check "$name" "sim validate"
done

if [ $cases -eq 0 ]; then
	fail "$dir" "no hostile scenarios found"
fi
[ $fails -eq 0 ] && echo "hostile: $cases files, ok"
exit $((fails > 0))
