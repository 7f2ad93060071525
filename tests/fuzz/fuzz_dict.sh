#!/bin/sh
# Fails when the committed dictionary ($2) is not what its generator ($1) prints.
set -eu
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$1" > "$out"
if ! cmp -s "$out" "$2"; then
	echo "$2 is stale: regenerate it with $1 > $2" >&2
	diff -u "$2" "$out" >&2 || true
	exit 1
fi
echo "$2: up to date"
