#!/bin/bash
# tools/compare-outputs: a binary against itself is identical (exit 0); a
# binary whose text report differs by one byte for one scenario is caught
# (exit 1, naming exactly that output).
set -u
sim=$1; root=$2
tool="$root/tools/compare-outputs"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0
files="$root/scenarios/migrate_slow.json $root/scenarios/hpet_periodic.json $root/tests/vms/two_hosts.json"
for f in $files; do [ -f "$f" ] || { echo "FAIL: missing $f"; exit 1; }; done

FILES=$files "$tool" "$sim" "$sim" "$work/same" >"$work/same.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q "3 scenarios, 18 outputs each: identical" "$work/same.out"; then
	echo "FAIL: a binary against itself: rc=$rc"; cat "$work/same.out"; fail=1
fi

# A sim that adds a line to hpet_periodic's text report only.
cat >"$work/altered" <<EOS
#!/bin/bash
"$sim" "\$@"; rc=\$?
case " \$* " in *" run "*hpet_periodic.json*) [ "\$2" = "\${2#--}" ] && echo extra ;; esac
exit \$rc
EOS
chmod +x "$work/altered"
FILES=$files "$tool" "$sim" "$work/altered" "$work/diff" >"$work/diff.out" 2>&1
rc=$?
if [ $rc -ne 1 ] || ! grep -q "hpet_periodic.txt" "$work/diff.out" ||
   [ "$(grep -c ' differ$' "$work/diff.out")" != 1 ]; then
	echo "FAIL: one altered report: rc=$rc"; cat "$work/diff.out"; fail=1
fi
[ $fail = 0 ] && echo "ok: identical binaries pass, one altered text report is named"
exit $fail
