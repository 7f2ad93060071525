#!/bin/sh
# docs/trace.schema.json (sim-trace v1, docs/trace-format.md) against what
# is written in that format:
#  1. it is a valid draft 2020-12 schema;
#  2. every line `sim run --trace` writes for scenarios that between them
#     give every record kind validates and is of a type the schema defines,
#     and so does every line of the hand-written traces in tests/judge/ and
#     of the docs' ```jsonl examples; every type the schema defines is seen;
#  3. lines that break the format are rejected (a read without "seq", a
#     number where an integer string must be, a header of another format).
# The validator is Debian's python3-jsonschema, run as /usr/bin/python3; without
# it the test is skipped (77).  Usage: trace_schema.sh SIM SOURCE_ROOT
set -u
sim=$1
root=$2
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! [ -x "$py" ] || ! "$py" -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: $py has no jsonschema module (apt-get install python3-jsonschema)" >&2
	exit 77
fi
for n in board_stops_with_vm hpet_no_fsb apic_timer_no_arat; do
	"$sim" run "$root/scenarios/$n.json" --trace "$tmp/$n.jsonl" >/dev/null 2>&1
	[ -s "$tmp/$n.jsonl" ] || { echo "FAIL: sim run $n --trace wrote nothing" >&2; exit 1; }
done
# several VMs ("vm" on lines, "vms" in the header) and a moved process ("thread")
"$sim" run "$root/tests/vms/two_hosts.json" --trace "$tmp/two_hosts.jsonl" >/dev/null 2>&1
"$sim" run "$root/scenarios/tsc_hotplug.json" --trace "$tmp/tsc_hotplug.jsonl" >/dev/null 2>&1
grep -q '"vms":\["a","b"\]' "$tmp/two_hosts.jsonl" && grep -q '"thread":0' "$tmp/tsc_hotplug.jsonl" ||
	{ echo "FAIL: no \"vms\" in two_hosts' trace or no \"thread\" in tsc_hotplug's" >&2; exit 1; }
"$py" - "$root" "$tmp" <<'PYEOF'
import glob, json, os, re, sys
import jsonschema

root, tmp = sys.argv[1:3]
with open(os.path.join(root, "docs", "trace.schema.json"), encoding="utf-8") as f:
    schema = json.load(f)
try:
    jsonschema.Draft202012Validator.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    print("FAIL: docs/trace.schema.json is not a valid draft 2020-12 schema: %s" % e.message,
          file=sys.stderr)
    sys.exit(1)
v = jsonschema.Draft202012Validator(schema)
fails = lines = 0
types = set()


known = set(schema["$defs"]) - {"uint", "int", "other"}


def check(name, n, text, sims=False):
    global fails, lines
    doc = json.loads(text)
    lines += 1
    types.add(doc.get("type"))
    if sims and doc.get("type") not in known:
        fails += 1
        print("FAIL: %s:%d: sim wrote a line of type %r, which the schema does not define"
              % (name, n, doc.get("type")), file=sys.stderr)
    errors = list(v.iter_errors(doc))
    if errors:
        fails += 1
        if fails <= 10:
            print("FAIL: %s:%d: the schema rejects it: %s" % (name, n, errors[0].message[:300]),
                  file=sys.stderr)


for path in sorted(glob.glob(os.path.join(tmp, "*.jsonl")) +
                   glob.glob(os.path.join(root, "tests", "judge", "*.jsonl"))):
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            check(os.path.basename(path), n, text, path.startswith(tmp))
examples = 0
for doc in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
    inside = False
    with open(doc, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            if re.match(r"^```jsonl\s*$", text):
                inside = True
            elif inside and re.match(r"^```\s*$", text):
                inside = False
            elif inside and text.strip():
                examples += 1
                check(os.path.relpath(doc, root), n, text)
# every type the schema defines was checked on at least one line
if not known <= types:
    print("FAIL: no line of type %s was checked" % sorted(known - types), file=sys.stderr)
    fails += 1
for bad in ['{"type":"read","vcpu":0,"clock":"c","value_ns":1}',
            '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1.5}',
            '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":"12a"}',
            '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1,"ref_before":5}',
            '{"type":"header","format":"other","version":1,"producer":"x"}',
            '{"type":"pvclock","vcpu":0,"version":2}',
            '{"type":"read","vm":"a","vcpu":0,"seq":1,"clock":"c","value_ns":1}',
            '{"type":"header","format":"sim-trace","version":1,"producer":"x","vms":[]}']:
    if v.is_valid(json.loads(bad)):
        print("FAIL: the schema accepts %s" % bad, file=sys.stderr)
        fails += 1
print("trace_schema: %d lines (%d from docs examples) of %d types checked, %d failed"
      % (lines, examples, len(types), fails))
sys.exit(1 if fails else 0)
PYEOF
