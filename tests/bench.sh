#!/bin/bash
# tools/bench works, briefly (never a timing assertion):
#  1. the roofline (tools/bench/roofline.c) prints every checksum line that
#     shared/docs/perf-workload.md section 7 lists, byte for byte;
#  2. tools/bench/scenario writes scenarios sim accepts, and tools/bench/bench
#     --quick runs sim and the roofline on small, medium and large and prints
#     a row for each.
# Usage: bench.sh SIM SOURCE_ROOT
set -eu
sim=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cc=${CC:-cc}
$cc -O2 -std=c11 -o "$work/roofline" "$root/tools/bench/roofline.c" || fail "cannot compile the roofline"

# The spec's fixed parameter sets and their expected output (section 7), as
# "H C P S_ms SEED|line".
while IFS='|' read -r args want; do
	[ -n "$args" ] || continue
	# shellcheck disable=SC2086
	got=$("$work/roofline" $args) || fail "roofline $args exited $?"
	[ "$got" = "$want" ] || fail "roofline $args:
 got: $got
want: $want"
	echo "ok: roofline $args"
done <<'LINES'
1 4 20000 1000 42|PVCLK1 H=1 C=4 P=20000 S_ms=1000 seed=42 events=210347 reads=200034 irq_reads=1000 retries=317 vcpu_viol=0 vm_viol=215 err_viol=3014 max_backstep=40 max_abs_err=54 sum=00005b6857e5036f hash=22a5dcd96ad12716 vmlast0=999995876 vlastN=999979593
1 4 20000 10000 42|PVCLK1 H=1 C=4 P=20000 S_ms=10000 seed=42 events=2102771 reads=2000020 irq_reads=10001 retries=2753 vcpu_viol=0 vm_viol=2246 err_viol=30073 max_backstep=45 max_abs_err=54 sum=0023b480a72efd65 hash=aed52229a3a82af6 vmlast0=9999992504 vlastN=9999985822
1 4 20000 100000 42|PVCLK1 H=1 C=4 P=20000 S_ms=100000 seed=42 events=21027498 reads=20000388 irq_reads=100015 retries=27084 vcpu_viol=0 vm_viol=22086 err_viol=301368 max_backstep=45 max_abs_err=54 sum=0df29567299886ef hash=0b5e7a192cd286be vmlast0=99999996665 vlastN=99999985652
8 8 100000 1000 42|PVCLK1 H=8 C=8 P=100000 S_ms=1000 seed=42 events=770934 reads=640042 irq_reads=1000 retries=956 vcpu_viol=0 vm_viol=378 err_viol=4505 max_backstep=71 max_abs_err=78 sum=000123817c48b814 hash=181b9981f7a3dac1 vmlast0=999969707 vlastN=999942581
8 8 100000 10000 42|PVCLK1 H=8 C=8 P=100000 S_ms=10000 seed=42 events=7708529 reads=6400148 irq_reads=10001 retries=8443 vcpu_viol=0 vm_viol=3789 err_viol=45252 max_backstep=77 max_abs_err=78 sum=0071de668c77bbd7 hash=406c81e53144db36 vmlast0=9999995341 vlastN=9999999766
64 16 1000000 1000 42|PVCLK1 H=64 C=16 P=1000000 S_ms=1000 seed=42 events=3074311 reads=1023858 irq_reads=1000 retries=1477 vcpu_viol=0 vm_viol=136 err_viol=14341 max_backstep=80 max_abs_err=69 sum=0001d20ddd01d95f hash=e7bf7ead47d06b00 vmlast0=999943081 vlastN=999124160
64 16 1000000 10000 42|PVCLK1 H=64 C=16 P=1000000 S_ms=10000 seed=42 events=30753094 reads=10239689 irq_reads=10001 retries=14427 vcpu_viol=0 vm_viol=1238 err_viol=142931 max_backstep=80 max_abs_err=69 sum=00b61231c83ca23f hash=7dfd39623d76b4e2 vmlast0=9999925602 vlastN=9999449529
1 4 20000 1000 7|PVCLK1 H=1 C=4 P=20000 S_ms=1000 seed=7 events=210321 reads=200029 irq_reads=1000 retries=296 vcpu_viol=0 vm_viol=274 err_viol=0 max_backstep=61 max_abs_err=47 sum=00005b6a35c2172a hash=64c38a2168a83b4d vmlast0=999996861 vlastN=999996861
LINES

# Bad arguments are refused with the usage, exit 2.
rc=0; "$work/roofline" 1 4 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "roofline with too few arguments exited $rc, want 2"

out=$("$root/tools/bench/bench" --quick --sim "$sim" --sizes small,medium,large) ||
	fail "bench --quick exited $?"
echo "$out"
for size in small medium large; do
	echo "$out" | grep -q "^$size " || fail "no row for $size in the bench's output"
done
echo "ok: bench --quick"
