#!/bin/bash
# tools/bench works, briefly (never a timing assertion):
#  1. the roofline (tools/bench/roofline.c) prints every checksum line that
#     shared/docs/perf-workload.md section 7 lists, byte for byte;
#  2. the same workload on ns-3's event engine (tools/bench/ns3_pvclk.cc,
#     built by tools/bench/ns3-build) prints the same lines with its default
#     scheduler (PriorityQueue), all but the two longest (small at 100 s and
#     large at 10 s, about 8 s between them; the other six take about 2.5 s),
#     and the seed-7 line with each of its other schedulers;
#  3. tools/bench/scenario writes scenarios sim accepts, and tools/bench/bench
#     --quick runs sim, the roofline and ns-3 on small, medium and large and
#     prints a row for each, with the ns-3 columns; --no-ns3 leaves them out.
# Without ns-3 (Debian's libns3-dev) parts 1 and 3 run and the test is then
# skipped (exit 77), saying so; in CI (CI=true), which installs it
# (tools/bootstrap), that is a failure.
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
lines=$(cat <<'LINES'
1 4 20000 1000 42|PVCLK1 H=1 C=4 P=20000 S_ms=1000 seed=42 events=210347 reads=200034 irq_reads=1000 retries=317 vcpu_viol=0 vm_viol=215 err_viol=3014 max_backstep=40 max_abs_err=54 sum=00005b6857e5036f hash=22a5dcd96ad12716 vmlast0=999995876 vlastN=999979593
1 4 20000 10000 42|PVCLK1 H=1 C=4 P=20000 S_ms=10000 seed=42 events=2102771 reads=2000020 irq_reads=10001 retries=2753 vcpu_viol=0 vm_viol=2246 err_viol=30073 max_backstep=45 max_abs_err=54 sum=0023b480a72efd65 hash=aed52229a3a82af6 vmlast0=9999992504 vlastN=9999985822
1 4 20000 100000 42|PVCLK1 H=1 C=4 P=20000 S_ms=100000 seed=42 events=21027498 reads=20000388 irq_reads=100015 retries=27084 vcpu_viol=0 vm_viol=22086 err_viol=301368 max_backstep=45 max_abs_err=54 sum=0df29567299886ef hash=0b5e7a192cd286be vmlast0=99999996665 vlastN=99999985652
8 8 100000 1000 42|PVCLK1 H=8 C=8 P=100000 S_ms=1000 seed=42 events=770934 reads=640042 irq_reads=1000 retries=956 vcpu_viol=0 vm_viol=378 err_viol=4505 max_backstep=71 max_abs_err=78 sum=000123817c48b814 hash=181b9981f7a3dac1 vmlast0=999969707 vlastN=999942581
8 8 100000 10000 42|PVCLK1 H=8 C=8 P=100000 S_ms=10000 seed=42 events=7708529 reads=6400148 irq_reads=10001 retries=8443 vcpu_viol=0 vm_viol=3789 err_viol=45252 max_backstep=77 max_abs_err=78 sum=0071de668c77bbd7 hash=406c81e53144db36 vmlast0=9999995341 vlastN=9999999766
64 16 1000000 1000 42|PVCLK1 H=64 C=16 P=1000000 S_ms=1000 seed=42 events=3074311 reads=1023858 irq_reads=1000 retries=1477 vcpu_viol=0 vm_viol=136 err_viol=14341 max_backstep=80 max_abs_err=69 sum=0001d20ddd01d95f hash=e7bf7ead47d06b00 vmlast0=999943081 vlastN=999124160
64 16 1000000 10000 42|PVCLK1 H=64 C=16 P=1000000 S_ms=10000 seed=42 events=30753094 reads=10239689 irq_reads=10001 retries=14427 vcpu_viol=0 vm_viol=1238 err_viol=142931 max_backstep=80 max_abs_err=69 sum=00b61231c83ca23f hash=7dfd39623d76b4e2 vmlast0=9999925602 vlastN=9999449529
1 4 20000 1000 7|PVCLK1 H=1 C=4 P=20000 S_ms=1000 seed=7 events=210321 reads=200029 irq_reads=1000 retries=296 vcpu_viol=0 vm_viol=274 err_viol=0 max_backstep=61 max_abs_err=47 sum=00005b6a35c2172a hash=64c38a2168a83b4d vmlast0=999996861 vlastN=999996861
LINES
)
while IFS='|' read -r args want; do
	[ -n "$args" ] || continue
	# shellcheck disable=SC2086
	got=$("$work/roofline" $args) || fail "roofline $args exited $?"
	[ "$got" = "$want" ] || fail "roofline $args:
 got: $got
want: $want"
	echo "ok: roofline $args"
done <<<"$lines"

# Bad arguments are refused with the usage, exit 2.
rc=0; "$work/roofline" 1 4 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "roofline with too few arguments exited $rc, want 2"

ns3=yes
rc=0
"$root/tools/bench/ns3-build" "$work/ns3_pvclk" || rc=$?
case $rc in
0) ;;
3)
	[ "${CI:-}" = true ] && fail "no ns-3 in CI (tools/bootstrap installs libns3-dev)"
	ns3=no
	echo "ns-3 is not installed (Debian: libns3-dev): its checks are skipped" ;;
*) fail "tools/bench/ns3-build exited $rc" ;;
esac
if [ "$ns3" = yes ]; then
	while IFS='|' read -r args want; do
		case "$args" in ''|"1 4 20000 100000 42"|"64 16 1000000 10000 42") continue ;; esac
		# shellcheck disable=SC2086
		got=$("$work/ns3_pvclk" $args) || fail "ns3_pvclk $args exited $?"
		[ "$got" = "$want" ] || fail "ns3_pvclk $args:
 got: $got
want: $want"
		echo "ok: ns3_pvclk $args"
	done <<<"$lines"
	want=$(echo "$lines" | sed -n 's/^1 4 20000 1000 7|//p')
	for s in map heap calendar list; do
		got=$("$work/ns3_pvclk" --scheduler=$s 1 4 20000 1000 7) || fail "ns3_pvclk --scheduler=$s exited $?"
		[ "$got" = "$want" ] || fail "ns3_pvclk --scheduler=$s 1 4 20000 1000 7:
 got: $got
want: $want"
		echo "ok: ns3_pvclk --scheduler=$s 1 4 20000 1000 7"
	done
	rc=0; "$work/ns3_pvclk" --scheduler=fifo 1 4 20000 1000 >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "ns3_pvclk with an unknown scheduler exited $rc, want 2"
fi

out=$("$root/tools/bench/bench" --quick --sim "$sim" --sizes small,medium,large) ||
	fail "bench --quick exited $?"
echo "$out"
for size in small medium large; do
	row=$(echo "$out" | grep "^$size ") || fail "no row for $size in the bench's output"
	# 11 numbers, then ns-3's CPU time and ratio when ns-3 is there, then "-" (no valgrind)
	want_fields=12
	[ "$ns3" = yes ] && want_fields=14
	[ "$(echo "$row" | wc -w)" = "$want_fields" ] ||
		fail "the $size row has $(echo "$row" | wc -w) fields, want $want_fields: $row"
done
if [ "$ns3" = yes ]; then
	echo "$out" | head -1 | grep -q ' ns3_cpu_s sim/ns3 ' || fail "no ns-3 columns in the bench's header"
	out=$("$root/tools/bench/bench" --quick --no-ns3 --sim "$sim" --sizes small) ||
		fail "bench --quick --no-ns3 exited $?"
	echo "$out"
	echo "$out" | grep -q ns3 && fail "bench --no-ns3 still shows ns-3"
	row=$(echo "$out" | grep "^small ") || fail "no row for small with --no-ns3"
	[ "$(echo "$row" | wc -w)" = 12 ] || fail "bench --no-ns3: the small row is not 12 fields: $row"
fi
echo "ok: bench --quick"
if [ "$ns3" = no ]; then
	echo "SKIP: the ns-3 checks (no ns-3; Debian: libns3-dev, which tools/bootstrap installs)"
	exit 77
fi
