#!/bin/sh
# docs/scenario.schema.json against the loader it is written from:
#  1. it is exactly what `sim schema` prints now (the tables are its source);
#  2. it is a valid draft 2020-12 schema (Draft202012Validator.check_schema);
#  3. it accepts every scenario in scenarios/ and every whole-scenario example
#     in docs/*.md (found as docs_examples.sh finds them; an example marked
#     `<!-- sim run: exit 2 -->` is a refusal and is not checked);
#  4. every tests/hostile/*.json whose .expect says `schema: reject` is
#     rejected by the schema and by `sim validate` (exit 2);
#  5. the schema never refuses what the loader takes: mutants of scenarios/
#     (a key dropped, a value replaced; drawn from a fixed seed) that
#     `sim validate` accepts must pass the schema too.
# The validator is Debian's python3-jsonschema, run as /usr/bin/python3 (a
# python3 earlier on PATH may lack it); without it the test is skipped (77).
# Usage: schema.sh SIM SOURCE_ROOT
set -u
sim=$1
root=$2
schema=$root/docs/scenario.schema.json
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

if ! "$sim" schema >"$tmp/now.json"; then
	echo "FAIL: sim schema exited $?" >&2
	exit 1
fi
if ! cmp -s "$tmp/now.json" "$schema"; then
	echo "FAIL: docs/scenario.schema.json is not what \`sim schema\` prints now:" >&2
	diff -u "$schema" "$tmp/now.json" | head -40 >&2
	echo "regenerate it: ninja -C build scenario-schema   (or: build/sim/sim schema >docs/scenario.schema.json)" >&2
	fails=$((fails + 1))
fi

if ! [ -x "$py" ] || ! "$py" -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: $py has no jsonschema module (apt-get install python3-jsonschema);" \
	     "only the byte-for-byte comparison ran" >&2
	[ "$fails" -eq 0 ] && exit 77
	exit 1
fi

# The hostile files the schema must reject; each must also make sim validate exit 2.
: >"$tmp/reject.list"
for f in "$root"/tests/hostile/*.json; do
	[ -e "$f" ] || continue
	grep -qx 'schema: reject' "${f%.json}.expect" 2>/dev/null || continue
	echo "$f" >>"$tmp/reject.list"
	"$sim" validate "$f" >"$tmp/out" 2>&1
	status=$?
	if [ "$status" -ne 2 ]; then
		echo "FAIL: ${f#"$root"/}: sim validate exited $status, expected 2" >&2
		sed 's/^/    /' "$tmp/out" >&2
		fails=$((fails + 1))
	fi
done

"$py" - "$schema" "$root" "$tmp/reject.list" "$sim" "$tmp" <<'EOF'
import glob, json, os, random, re, subprocess, sys
import jsonschema

schema_path, root, reject_list, sim, tmp = sys.argv[1:6]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
try:
    jsonschema.Draft202012Validator.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    print("FAIL: docs/scenario.schema.json is not a valid draft 2020-12 schema: %s" % e.message,
          file=sys.stderr)
    sys.exit(1)
validator = jsonschema.Draft202012Validator(schema)
fails = 0


def where(e):
    return "/" + "/".join(str(p) for p in e.absolute_path)


def accept(name, text):
    global fails
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("FAIL: %s: not JSON: %s" % (name, e), file=sys.stderr)
        fails += 1
        return
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        fails += 1
        print("FAIL: %s: the schema rejects a valid scenario:" % name, file=sys.stderr)
        for e in errors[:5]:
            print("    %s: %s" % (where(e), e.message[:300]), file=sys.stderr)


files = sorted(glob.glob(os.path.join(root, "scenarios", "*.json")))
for path in files:
    with open(path, encoding="utf-8") as f:
        accept(os.path.relpath(path, root), f.read())

# As docs_examples.sh: a ```json block that is an object with "name" and
# "duration"; an HTML comment "sim run: exit N" on the line before sets N.
examples = 0
for doc in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
    inside, text, start, want, prev = False, "", 0, 0, ""
    with open(doc, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not inside and re.match(r"^```json\s*$", line):
                inside, text, start = True, "", n
                m = re.search(r"<!--\s*sim run: exit (\d+)\s*-->", prev)
                want = int(m.group(1)) if m else 0
            elif inside and re.match(r"^```\s*$", line):
                inside = False
                if (re.match(r"^\s*\{", text) and re.search(r'"name"\s*:', text)
                        and re.search(r'"duration"\s*:', text) and want != 2):
                    examples += 1
                    accept("%s:%d" % (os.path.relpath(doc, root), start), text)
            elif inside:
                text += line
            if line.strip():
                prev = line

rejected = 0
with open(reject_list) as f:
    for path in f.read().split():
        try:
            with open(path, encoding="utf-8") as g:
                doc = json.load(g)
        except ValueError:          # not UTF-8, or not JSON: no schema accepts it
            rejected += 1
            continue
        if validator.is_valid(doc):
            fails += 1
            print("FAIL: %s: `schema: reject`, but the schema accepts it"
                  % os.path.relpath(path, root), file=sys.stderr)
        else:
            rejected += 1

# Mutants: the loader is the judge of validity; the schema must accept what it accepts.
rng = random.Random(12)
values = [0, 1, 2, 3, 31, 64, 65, -1, 2**53, "1s", "0s", "10ms", "1us", "+1s", "-20us", "3GHz",
          "100MHz", "14.31818MHz", "+1ppm", "-5ppb", "0ppm", "1%", "0.5%", True, False, "all",
          [0], [0, 1], [1, 0], "C6", 6, "0x10", "16", "S3", "S4", "pass", "fail", "tsc", "hpet",
          "x", "h", "h0", "r", {}, [], None, "2026-01-01T00:00:00Z", 1767225600, "every 1s",
          "boot", "raise 0", "6.1", "6.12", "intel", "amd", "monotonic", "ticks", "freeze"]


def slots(v, out):
    if isinstance(v, dict):
        for k in v:
            out.append((v, k))
            slots(v[k], out)
    elif isinstance(v, list):
        for i in range(len(v)):
            out.append((v, i))
            slots(v[i], out)
    return out


mutants = []
for path in files:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for i in range(40):
        doc = json.loads(text)
        holder, key = rng.choice(slots(doc, []))
        if isinstance(holder, dict) and rng.random() < 0.3:
            what = "drop %r" % key
            del holder[key]
        else:
            new = rng.choice(values)
            what = "%r -> %s" % (key, json.dumps(new))
            holder[key] = new
        name = os.path.join(tmp, "m%d.json" % len(mutants))
        with open(name, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        mutants.append((name, "%s (%s)" % (os.path.relpath(path, root), what), doc))
valid = set()
for b in range(0, len(mutants), 200):
    batch = [m[0] for m in mutants[b:b + 200]]
    r = subprocess.run([sim, "validate"] + batch, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=120)
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        m = re.match(r"^(.*): valid \(", line)
        if m:
            valid.add(m.group(1))
both = 0
for name, what, doc in mutants:
    ok = validator.is_valid(doc)
    if name in valid and not ok:
        fails += 1
        e = next(validator.iter_errors(doc))
        print("FAIL: %s: sim validate accepts it, the schema refuses it at %s: %s"
              % (what, where(e), e.message[:200]), file=sys.stderr)
    both += name not in valid and not ok
print("schema: %d mutants: %d accepted by sim validate, %d refused by both,"
      " %d refused by sim alone" % (len(mutants), len(valid), both,
                                   len(mutants) - len(valid) - both))

if not files or not examples or not rejected or not valid:
    print("FAIL: found %d scenarios, %d docs examples, %d files to reject: expected some of each"
          % (len(files), examples, rejected), file=sys.stderr)
    fails += 1
print("schema: %d scenarios and %d docs examples accepted, %d hostile files rejected, %d failed"
      % (len(files), examples, rejected, fails))
sys.exit(1 if fails else 0)
EOF
[ $? -eq 0 ] || fails=$((fails + 1))
[ "$fails" -eq 0 ]
