#!/bin/sh
# Several VMs ("vms", docs/scenario-format.md "vms"), checked against what the
# model promises rather than against sim's own output:
#  1. a scenario written with "vm" runs exactly as the same VM alone in "vms":
#     every scenario of the library with a VM, rewritten, gives the same --json
#     report byte for byte (the file name aside);
#  2. VMs are independent: a VM's readers see the same reads whether or not
#     another VM shares its hosts (tests/vms/two_hosts.json, VM a alone);
#  3. a host's suspend stops every VM on it and no other: read counts are
#     vCPUs x (run - sleep) / period (tests/vms/shared_host.json);
#  4. the errors: a message naming the file, the JSON pointer, exit 2.
# Usage: vms.sh SIM SRCDIR
set -u
sim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. "vm" -> "vms": the VM gets a name, the top-level lists move into it.
lists='migrations vcpu_moves tsc_writes stalls time_syncs clock_updates pauses snapshots guest_timers'
n=0
for f in "$src"/scenarios/*.json; do
	python3 - "$f" "$tmp/as_vms.json" "$lists" <<'PY' || continue
import json, sys
doc = json.load(open(sys.argv[1]))
if "vm" not in doc:
    sys.exit(1)
vm = doc.pop("vm")
vm = dict({"name": "only"}, **vm)
for k in sys.argv[3].split():
    if k in doc:
        vm[k] = doc.pop(k)
doc["vms"] = [vm]
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
	n=$((n + 1))
	"$sim" run --json "$tmp/a.json" "$f" >/dev/null 2>&1
	ra=$?
	"$sim" run --json "$tmp/b.json" "$tmp/as_vms.json" >/dev/null 2>&1
	rb=$?
	sed "s|$tmp/as_vms.json|FILE|" "$tmp/b.json" > "$tmp/b2.json"
	sed "s|$f|FILE|" "$tmp/a.json" > "$tmp/a2.json"
	[ "$ra" = "$rb" ] || bad "$(basename "$f"): exit $ra with \"vm\", $rb with \"vms\""
	cmp -s "$tmp/a2.json" "$tmp/b2.json" ||
		bad "$(basename "$f"): the --json report differs with \"vms\""
done
[ "$n" -ge 40 ] || bad "only $n scenarios with a VM were rewritten (expected the library's 40+)"
echo "1. $n scenarios with \"vm\" give the same report as one VM in \"vms\""

# 2. VM a's reads, with VM b on the hosts and alone.
python3 - "$src/tests/vms/two_hosts.json" "$tmp/a_alone.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["vms"] = [v for v in doc["vms"] if v["name"] == "a"]
doc["readers"] = [r for r in doc["readers"] if r["vm"] == "a"]
json.dump(doc, open(sys.argv[2], "w"))
PY
"$sim" run --json "$tmp/two.json" "$src/tests/vms/two_hosts.json" >/dev/null || bad "two_hosts.json failed"
"$sim" run --json "$tmp/alone.json" "$tmp/a_alone.json" >/dev/null || bad "a alone failed"
python3 - "$tmp/two.json" "$tmp/alone.json" <<'PY' || fail=1
import json, sys
two = json.load(open(sys.argv[1]))["scenarios"][0]
alone = json.load(open(sys.argv[2]))["scenarios"][0]
pa = [r for r in two["readers"] if r["name"] == "pa"][0]
pa.pop("vm")
if pa != alone["readers"][0]:
    print("FAIL: VM a's reader differs when VM b shares the hosts:\n", pa, "\n", alone["readers"][0])
    sys.exit(1)
mig = two["migrations"]
if len(mig) != 1 or mig[0]["vm"] != "b" or (mig[0]["from"], mig[0]["to"]) != ("h1", "h0"):
    print("FAIL: expected VM b's one migration h1 -> h0, got", mig)
    sys.exit(1)
print("2. VM a reads the same", alone["readers"][0]["reads"], "values with or without VM b")
PY

# 3. h0 sleeps 20 ms of 100 ms: its VMs read 80 ms worth, VM d on h1 100 ms worth.
"$sim" run --json "$tmp/shared.json" "$src/tests/vms/shared_host.json" >/dev/null ||
	bad "shared_host.json: expectations failed"
python3 - "$tmp/shared.json" <<'PY' || fail=1
import json, sys
rep = json.load(open(sys.argv[1]))["scenarios"][0]
want = {"ra": 4 * 800, "rb": 2 * 800, "rc": 3 * 800, "rd": 2 * 1000}
got = {r["name"]: r["reads"] for r in rep["readers"]}
if got != want:
    print("FAIL: reads", got, "expected", want)
    sys.exit(1)
print("3. reads per VM", got)
PY

# 4. errors: "vms.json: ... error: POINTER: MESSAGE", exit 2
err() {  # err NAME EXIT 'TEXT' 'JSON'
	printf '%s' "$4" > "$tmp/$1.json"
	out=$("$sim" run "$tmp/$1.json" 2>&1)
	rc=$?
	[ "$rc" = "$2" ] || bad "$1: exit $rc, expected $2 ($out)"
	case "$out" in *"$3"*) ;; *) bad "$1: expected \"$3\" in: $out" ;; esac
}
H='"hosts": [ { "name": "h0", "tsc": "3GHz", "uptime": "1d", "sockets": [ { "cpus": 4 } ] } ]'
R='"kind": "pvclock", "vcpus": "all", "period": "1ms"'
V2='"vms": [ { "name": "a", "host": "h0", "vcpus": 2 }, { "name": "b", "host": "h0", "vcpus": 2 } ]'
err both 2 '/vms: expected "vm" (one VM) or "vms" (a list of VMs), not both' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, \"vm\": { \"host\": \"h0\", \"vcpus\": 1 }, $V2, \"readers\": [ { \"name\": \"r\", $R } ] }"
err no_vm_key 2 '/readers/0/vm: missing required key "vm": there are 2 VMs (a, b)' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, $V2, \"readers\": [ { \"name\": \"r\", $R } ] }"
err unknown_vm 2 '/readers/0/vm: unknown VM "c"; expected one of: a, b' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, $V2, \"readers\": [ { \"name\": \"r\", \"vm\": \"c\", $R } ] }"
err dup 2 '/vms/1/name: duplicate VM name "a" (also /vms/0/name)' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, \"vms\": [ { \"name\": \"a\", \"host\": \"h0\", \"vcpus\": 1 }, { \"name\": \"a\", \"host\": \"h0\", \"vcpus\": 1 } ], \"readers\": [ { \"name\": \"r\", \"vm\": \"a\", $R } ] }"
err top_list 2 '/migrations: migrations need a VM: add it to the VM it belongs to in "vms", or remove "migrations"' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, $V2, \"migrations\": [ { \"at\": \"1ms\", \"downtime\": \"1ms\", \"to\": \"h0\" } ], \"readers\": [ { \"name\": \"r\", \"vm\": \"a\", $R } ] }"
err inner_list 2 '/vms/1/stalls/0/duration' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, \"vms\": [ { \"name\": \"a\", \"host\": \"h0\", \"vcpus\": 2 }, { \"name\": \"b\", \"host\": \"h0\", \"vcpus\": 2, \"stalls\": [ { \"at\": \"1ms\", \"duration\": \"0s\" } ] } ], \"readers\": [ { \"name\": \"r\", \"vm\": \"a\", $R } ] }"
err board 2 'reads the board (PIT, HPET, RTC, PM timer), and the board is the first VM'"'"'s ("a"), not "b"'"'"'s' \
	"{ \"name\": \"x\", \"duration\": \"1s\", $H, $V2, \"readers\": [ { \"name\": \"r\", \"vm\": \"b\", \"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"1ms\" } ] }"
err vcpus_total 2 '/vms/64/vcpus: the VMs up to this one have 66560 vCPUs in all, more than 65536' \
	"$(python3 -c "
import json
print(json.dumps({'name': 'x', 'duration': '1s', 'hosts': [{'name': 'h0', 'tsc': '3GHz', 'uptime': '1d', 'sockets': [{'cpus': 4}]}],
  'vms': [{'name': 'v%d' % i, 'host': 'h0', 'vcpus': 1024} for i in range(65)],
  'readers': [{'name': 'r', 'vm': 'v0', 'kind': 'pvclock', 'vcpus': [0], 'period': '1ms'}]}))")"
printf '{ "name": "x", "duration": "1s", %s, %s, "readers": [ { "name": "r", "vm": "a", %s } ] }' "$H" "$V2" "$R" > "$tmp/ok.json"
# the exports describe every VM (docs/exports.md; tests/mvexports_judge.sh checks the contents)
out=$("$sim" run --trace "$tmp/t.jsonl" --vcd "$tmp/t.vcd" --perfetto "$tmp/t.pftrace" "$tmp/ok.json" 2>&1)
[ $? = 0 ] && [ -s "$tmp/t.jsonl" ] && [ -s "$tmp/t.vcd" ] && [ -s "$tmp/t.pftrace" ] ||
	bad "--trace, --vcd and --perfetto with two VMs: expected exit 0 and three files, got: $out"
echo "4. errors checked"
exit $fail
