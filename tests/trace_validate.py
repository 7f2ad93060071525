#!/usr/bin/python3
"""Every line of each sim-trace file against docs/trace.schema.json (at most
MAX lines per file).  Exit 0 when all validate, 1 naming the first that does
not, 77 when this python has no jsonschema module.

Usage: trace_validate.py SCHEMA MAX FILE...
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("trace_validate: no jsonschema module (apt-get install python3-jsonschema)")
    sys.exit(77)

schema_path, limit, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(schema_path, encoding="utf-8") as f:
    validator = jsonschema.Draft202012Validator(json.load(f))
total = 0
for path in files:
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if n > limit:
                break
            errors = list(validator.iter_errors(json.loads(line)))
            if errors:
                print(f"trace_validate: {path}:{n}: {errors[0].message[:300]}")
                sys.exit(1)
            total += 1
print(f"trace_validate: {total} lines of {len(files)} files match the sim-trace schema")
