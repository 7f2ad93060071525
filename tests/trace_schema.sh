#!/bin/sh
# docs/trace.schema.json (sim-trace v1, docs/trace-format.md) against what
# is written in that format:
#  1. it is a valid draft 2020-12 schema;
#  2. every line `sim run --trace` writes for scenarios that between them
#     give every record kind validates, and so does every line of the
#     hand-written traces in tests/judge/ and of the docs' ```jsonl examples;
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


def check(name, n, text):
    global fails, lines
    doc = json.loads(text)
    lines += 1
    types.add(doc.get("type"))
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
            check(os.path.basename(path), n, text)
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
want = {"header", "read", "pvclock", "tsc_offset", "masterclock", "track_tsc", "watchdog",
        "guest_run", "irq_edge", "device_access", "vmm_phase", "guest_timer", "violation"}
if not want <= types:
    print("FAIL: no line of type %s was checked" % sorted(want - types), file=sys.stderr)
    fails += 1
for bad in ['{"type":"read","vcpu":0,"clock":"c","value_ns":1}',
            '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1.5}',
            '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":"12a"}',
            '{"type":"read","vcpu":0,"seq":1,"clock":"c","value_ns":1,"ref_before":5}',
            '{"type":"header","format":"other","version":1,"producer":"x"}',
            '{"type":"pvclock","vcpu":0,"version":2}']:
    if v.is_valid(json.loads(bad)):
        print("FAIL: the schema accepts %s" % bad, file=sys.stderr)
        fails += 1
print("trace_schema: %d lines (%d from docs examples) of %d types checked, %d failed"
      % (lines, examples, len(types), fails))
sys.exit(1 if fails else 0)
PYEOF
