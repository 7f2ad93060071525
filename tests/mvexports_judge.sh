#!/bin/sh
# `sim judge` of sim's own --trace against `sim run`'s --json report, for
# scenarios with several VMs ("vms") and for a process moved across CPUs
# (docs/trace-format.md, "Several VMs" and "thread"):
#  1. scenarios/host_suspend_tsc_reset_vms.json, tests/vms/*.json,
#     tests/mvexports/pause_one_vm.json (one VM paused, the other not) and
#     scenarios/tsc_hotplug.json: each reader of the run is a clock of the
#     judge with the same VM, the same vCPUs, the same read count and check
#     objects equal key for key (verdict, worst, counts, first violation);
#  2. the trace's own structure, from the format: the header lists the VMs,
#     every read of a VM's reader carries that VM's index, "seq" rises per
#     (VM, vCPU), and a one-VM scenario's trace has no "vm" on its reads.
#  3. a hand-written trace of two VMs with a clock of one name: judged apart;
#     a "vm" beyond the header's "vms": exit 2 naming the line and column.
#  4. hand-written host lines of two VMs: page_step's and cross_vcpu's first
#     violations name "VM b vCPU 0", the master clock is followed per VM.
# A first violation's "cause" (host events the trace does not carry) is the
# run's alone; everything else of each check object must be equal.
# The trace streams through a FIFO: the 1300 s scenario writes 50 MB.
# Usage: mvexports_judge.sh SIM SOURCE_ROOT
set -u
sim=$1
root=$2
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

for f in "$root/scenarios/host_suspend_tsc_reset_vms.json" "$root"/tests/vms/*.json \
	 "$root/tests/mvexports/pause_one_vm.json" \
	 "$root/scenarios/tsc_hotplug.json"; do
	n=$(basename "$f" .json)
	# the scenario's own reader checks, under each reader's name
	"$py" -c 'import json, sys
s = json.load(open(sys.argv[1]))
json.dump({"clocks": {r["name"]: r.get("checks", {}) for r in s.get("readers", [])}}, sys.stdout)' \
		"$f" >"$tmp/$n.policy"
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	"$sim" judge --policy "$tmp/$n.policy" --json "$tmp/$n.judge.json" "$tmp/fifo" \
		>/dev/null 2>"$tmp/$n.err" &
	judge_pid=$!
	"$sim" run "$f" --json "$tmp/$n.run.json" --trace "$tmp/fifo" >/dev/null 2>>"$tmp/$n.err"
	run_status=$?
	wait "$judge_pid"
	judge_status=$?
	[ "$run_status" -eq "$judge_status" ] ||
		fail "$n: sim run exits $run_status, sim judge $judge_status: $(cat "$tmp/$n.err")"
	"$py" - "$n" "$tmp/$n.run.json" "$tmp/$n.judge.json" <<'PYEOF' || fails=$((fails + 1))
import json, sys

name, run_path, judge_path = sys.argv[1:4]
run = json.load(open(run_path))["scenarios"][0]
runs = json.load(open(judge_path))["traces"]
if len(runs) != 1 or runs[0]["status"] == "invalid":
    print("FAIL: %s: the judge read %s" % (name, runs), file=sys.stderr)
    sys.exit(1)
clocks = {c["name"]: c for c in runs[0]["clocks"]}
bad = 0
for r in run["readers"]:
    c = clocks.pop(r["name"], None)
    if c is None:
        print("FAIL: %s: reader %s is no clock of the judge" % (name, r["name"]), file=sys.stderr)
        bad += 1
        continue
    for key in ("vm", "reads"):
        if r.get(key) != c.get(key):
            print("FAIL: %s: %s's %s: run %r, judge %r" % (name, r["name"], key, r.get(key),
                                                        c.get(key)), file=sys.stderr)
            bad += 1
    # a guest reader's vCPUs (a host process moved by reader_migrate reads off its list)
    if "vcpus" in r and sorted(r["vcpus"]) != c["vcpus"]:
        print("FAIL: %s: %s's vCPUs: run %r, judge %r" % (name, r["name"], r.get("vcpus"),
                                                       c["vcpus"]), file=sys.stderr)
        bad += 1
    # "cause" names host events, which the trace does not carry: the run's alone
    for k in r["checks"]:
        if k.get("first_violation"):
            k["first_violation"].pop("cause", None)
    if r["checks"] != c["checks"]:
        for a, b in zip(r["checks"], c["checks"]):
            if a != b:
                print("FAIL: %s: %s's %s:\n  run   %s\n  judge %s" % (name, r["name"], a["check"],
                      json.dumps(a), json.dumps(b)), file=sys.stderr)
        if len(r["checks"]) != len(c["checks"]):
            print("FAIL: %s: %s: %d checks in the run, %d judged" % (name, r["name"],
                  len(r["checks"]), len(c["checks"])), file=sys.stderr)
        bad += 1
if clocks:
    print("FAIL: %s: the judge has clocks no reader has: %s" % (name, sorted(clocks)),
          file=sys.stderr)
    bad += 1
checks = sum(len(r["checks"]) for r in run["readers"])
print("%s: %d readers, %d checks: judge and run agree%s" % (name, len(run["readers"]), checks,
      "" if not bad else " NOT"))
sys.exit(1 if bad else 0)
PYEOF
done

# 2. The structure of a several-VM trace, from the format.
"$sim" run "$root/tests/vms/shared_host.json" --trace "$tmp/shared.jsonl" >/dev/null ||
	fail "shared_host.json: sim run failed"
"$sim" run "$root/scenarios/migrate_slow.json" --trace "$tmp/one.jsonl" >/dev/null 2>&1
"$py" - "$root/tests/vms/shared_host.json" "$tmp/shared.jsonl" "$tmp/one.jsonl" <<'PYEOF' || fails=$((fails + 1))
import json, sys

scn = json.load(open(sys.argv[1]))
vms = [v["name"] for v in scn["vms"]]
reader_vm = {r["name"]: vms.index(r["vm"]) for r in scn["readers"]}
lines = [json.loads(t) for t in open(sys.argv[2])]
bad = []
if lines[0].get("vms") != vms:
    bad.append("header vms %r, expected %r" % (lines[0].get("vms"), vms))
seq = {}
kinds = set()
for n, d in enumerate(lines[1:], 2):
    t = d["type"]
    if t == "read":
        if d.get("vm") != reader_vm[d["clock"]]:
            bad.append("line %d: read of %s with vm %r" % (n, d["clock"], d.get("vm")))
        key = (d.get("vm"), d["vcpu"])
        if d["seq"] != seq.get(key, 0) + 1:
            bad.append("line %d: seq %d after %d on %r" % (n, d["seq"], seq.get(key, 0), key))
        seq[key] = d["seq"]
    if t in ("read", "pvclock", "tsc_offset", "masterclock"):
        kinds.add(t)
        if not isinstance(d.get("vm"), int) or not 0 <= d["vm"] < len(vms):
            bad.append("line %d: %s without a VM index" % (n, t))
# every VM's vCPUs counted apart: 4 + 2 + 3 + 2 counters
if len(seq) != 11:
    bad.append("%d (VM, vCPU) counters, expected 11" % len(seq))
one = [json.loads(t) for t in open(sys.argv[3])]
if "vms" in one[0] or any("vm" in d for d in one if d["type"] in ("read", "pvclock", "masterclock")):
    bad.append("migrate_slow's one-VM trace has \"vms\" or \"vm\" on a read or page line")
for b in bad[:10]:
    print("FAIL: " + b, file=sys.stderr)
print("trace structure: %d lines, %s checked, %d counters" % (len(lines), sorted(kinds), len(seq)))
sys.exit(1 if bad else 0)
PYEOF

# 3. A hand-written trace of two VMs reading a clock of one name, vCPU 0 each,
# by order.  Judged together the second read (VM b's 5 after VM a's 10) would
# step back and its "seq" 1 would repeat vCPU 0's; judged per VM each clock has
# 2 reads rising by 1: mono_vcpu passes, 1 sample each.
hdr='{"type":"header","format":"sim-trace","version":1,"producer":"t","cpus":1,"vms":["a","b"]}'
printf '%s\n' "$hdr" \
	'{"type":"read","vm":0,"vcpu":0,"seq":1,"clock":"C","value_ns":10,"order":1}' \
	'{"type":"read","vm":1,"vcpu":0,"seq":1,"clock":"C","value_ns":5,"order":2}' \
	'{"type":"read","vm":0,"vcpu":0,"seq":2,"clock":"C","value_ns":11,"order":3}' \
	'{"type":"read","vm":1,"vcpu":0,"seq":2,"clock":"C","value_ns":6,"order":4}' >"$tmp/two.jsonl"
"$sim" judge --check mono_vcpu "$tmp/two.jsonl" >"$tmp/out" 2>&1 || fail "two VMs by hand: $(cat "$tmp/out")"
for want in "  clock C (on VM a vCPU 0; judged by order): 2 reads" \
	    "  clock C (on VM b vCPU 0; judged by order): 2 reads" \
	    "  result: all 2 expectations hold"; do
	grep -qxF -- "$want" "$tmp/out" || fail "two VMs by hand: no line \"$want\" in: $(cat "$tmp/out")"
done
# a VM the header does not list: exit 2, the line, the column of the value, the key
printf '%s\n' "$hdr" '{"type":"read","vm":2,"vcpu":0,"seq":1,"clock":"C","value_ns":1,"order":1}' \
	>"$tmp/badvm.jsonl"
"$sim" judge "$tmp/badvm.jsonl" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF 'badvm.jsonl:2:21: error: /vm: VM 2 is not below the number of the header'"'"'s "vms" (2)' "$tmp/err" ||
	fail "bad vm: $(cat "$tmp/err")"

# 4. Host lines of two VMs (mul 2^31, shift 0: half a ns per cycle, as
# tests/judge/host.jsonl).  VM a's one page (9000000 ns at TSC 1000000) is
# never compared with VM b's.  VM b: vCPUs 0 and 1 at TSC 1000000 give
# 5000000 ns (cross_vcpu 0); vCPU 0 rewritten at TSC 3000000 with 5999000 ns
# where its old page and vCPU 1's give 6000000: page_step back 1 us, and a
# process moving from VM b vCPU 1 to VM b vCPU 0 reads back 1000 ns.  Each
# message names the VM.  Master clock: a on, b off, a on, b on: per VM a
# has 0 changes and b 1 (counted over both VMs it would be 2).
page='"tsc_to_system_mul":2147483648,"tsc_shift":0,"flags":1'
printf '%s\n' '{"type":"header","format":"sim-trace","version":1,"producer":"t","cpus":2,"vms":["a","b"]}' \
	"{\"type\":\"pvclock\",\"vm\":0,\"vcpu\":0,\"ref\":90,\"version\":2,\"tsc_timestamp\":1000000,\"system_time\":9000000,$page}" \
	'{"type":"masterclock","vm":0,"ref":95,"use_master_clock":true}' \
	'{"type":"masterclock","vm":1,"ref":96,"use_master_clock":false}' \
	"{\"type\":\"pvclock\",\"vm\":1,\"vcpu\":0,\"ref\":100,\"version\":2,\"tsc_timestamp\":1000000,\"system_time\":5000000,$page}" \
	"{\"type\":\"pvclock\",\"vm\":1,\"vcpu\":1,\"ref\":110,\"version\":2,\"tsc_timestamp\":1000000,\"system_time\":5000000,$page}" \
	'{"type":"masterclock","vm":0,"ref":120,"use_master_clock":true}' \
	'{"type":"masterclock","vm":1,"ref":121,"use_master_clock":true}' \
	"{\"type\":\"pvclock\",\"vm\":1,\"vcpu\":0,\"ref\":200,\"version\":4,\"tsc_timestamp\":3000000,\"system_time\":5999000,$page}" \
	>"$tmp/hostvms.jsonl"
"$sim" judge "$tmp/hostvms.jsonl" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "host lines of two VMs: not exit 1: $(cat "$tmp/out")"
for want in "  host check page_step (replayed from 4 pvclock lines): FAIL  worst -1.000 us, 1 violations in 1 samples" \
	    "      first: at 0.000000200 s (line 9) a rewrite of VM b vCPU 0's page steps kvmclock back by 1.000 us: at guest TSC 3000000 the old page gives 6000000 ns, the new one 5999000 ns" \
	    "  host check cross_vcpu (replayed from 4 pvclock lines): FAIL  worst -1.000 us, 1 violations in 2 samples" \
	    "      first: at 0.000000200 s (line 9) VM b vCPU 0's new page gives 5999000 ns at guest TSC 3000000 where VM b vCPU 1's page (both TSC_STABLE) gives 6000000 ns at guest TSC 3000000: a process moving from VM b vCPU 1 to VM b vCPU 0 reads kvmclock back by 1000 ns" \
	    "      note: 2 pairs of TSC_STABLE pages compared at one host instant; 0 pairs skipped: a page without TSC_STABLE, which Linux's guest guards with its global last value; master clock at the end: VM a on (0 changes), VM b on (1 change)"; do
	grep -qxF -- "$want" "$tmp/out" || fail "host lines of two VMs: no line \"$want\" in: $(cat "$tmp/out")"
done
# the same in the JSON report's first_violation
"$sim" judge --json - "$tmp/hostvms.jsonl" >"$tmp/out.json" 2>&1
grep -qF '"what": "a rewrite of VM b vCPU 0'"'"'s page steps' "$tmp/out.json" ||
	fail "host lines of two VMs: the JSON's first violation does not name VM b: $(cat "$tmp/out.json")"

# 20 VMs of 54-byte names, each with a master clock: the note (at most 319
# bytes) lists the first, "VM vm00_x... off (0 changes)" (with its 170 bytes
# before it, about 270), then has no room for another 54-byte name and says
# how many VMs it left out.
"$py" -c 'import json
names = ["vm%02d_" % i + "x" * 50 for i in range(20)]
print(json.dumps({"type": "header", "format": "sim-trace", "version": 1, "producer": "t", "cpus": 2, "vms": names}))
for i in range(20):
    print(json.dumps({"type": "masterclock", "vm": i, "use_master_clock": i % 2 == 1}))
for v, ns in ((0, 1), (1, 1)):
    print(json.dumps({"type": "pvclock", "vm": 3, "vcpu": v, "version": 2, "tsc_timestamp": 1, "system_time": ns, "tsc_to_system_mul": 2 ** 31, "tsc_shift": 0, "flags": 1}))' >"$tmp/many.jsonl"
"$sim" judge "$tmp/many.jsonl" >"$tmp/out" 2>&1 || fail "20 VMs: $(cat "$tmp/out")"
x=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
grep -qF "global last value; master clock at the end: VM vm00_$x off (0 changes), 19 more VMs" "$tmp/out" ||
	fail "20 VMs: the note does not list VM vm00 then 19 more: $(cat "$tmp/out")"

[ "$fails" -eq 0 ] && echo "mvexports_judge: all checks hold"
[ "$fails" -eq 0 ]
