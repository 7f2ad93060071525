#!/bin/sh
# docs/scenario.schema.json against the loader it is written from:
#  1. it is exactly what `sim schema` prints now (the tables are its source);
#  2. it is a valid draft 2020-12 schema (Draft202012Validator.check_schema);
#  3. it accepts every scenario in scenarios/ and every whole-scenario example
#     in docs/*.md (found as docs_examples.sh finds them; an example marked
#     `<!-- sim run: exit 2 -->` is a refusal and is not checked);
#  4. every tests/hostile/*.json whose .expect says `schema: reject` is
#     rejected by the schema and by `sim validate` (exit 2).
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

"$py" - "$schema" "$root" "$tmp/reject.list" <<'EOF'
import glob, json, os, re, sys
import jsonschema

schema_path, root, reject_list = sys.argv[1:4]
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
        with open(path, encoding="utf-8") as g:
            doc = json.load(g)
        if validator.is_valid(doc):
            fails += 1
            print("FAIL: %s: `schema: reject`, but the schema accepts it"
                  % os.path.relpath(path, root), file=sys.stderr)
        else:
            rejected += 1

if not files or not examples or not rejected:
    print("FAIL: found %d scenarios, %d docs examples, %d files to reject: expected some of each"
          % (len(files), examples, rejected), file=sys.stderr)
    fails += 1
print("schema: %d scenarios and %d docs examples accepted, %d hostile files rejected, %d failed"
      % (len(files), examples, rejected, fails))
sys.exit(1 if fails else 0)
EOF
[ $? -eq 0 ] || fails=$((fails + 1))
[ "$fails" -eq 0 ]
