#!/usr/bin/env python3
"""The structure of a clockprobe trace (sim-trace v1 read lines), not its verdict.

Checks: the header comes first, once, with format, version, producer, ref,
clocks and cpus; every other line is a read with the required fields;
integers are JSON numbers below 2^53 or decimal strings; seq strictly
increases per vCPU; order strictly increases over the file; ref_before <=
ref_after; every clock of the header is read, on every CPU; the vCPUs are
as many as the header's cpus.  Prints the counts.  Judging the reads is
`sim judge`'s job, not this script's.

Usage: clockprobe_check.py TRACE [CLOCK...]   (CLOCKs: names that must be present)
"""
import json
import sys

EXACT = 1 << 53


def integer(line_no, rec, key):
    v = rec.get(key)
    if isinstance(v, bool) or v is None:
        fail(line_no, f"{key}: expected an integer, got {v!r}")
    if isinstance(v, int):
        if abs(v) >= EXACT:
            fail(line_no, f"{key}: {v} is above 2^53 but written as a number")
        return v
    if isinstance(v, str) and v.isdigit():
        if int(v) < EXACT:
            fail(line_no, f"{key}: {v} is below 2^53 but written as a string")
        return int(v)
    fail(line_no, f"{key}: expected an integer, got {v!r}")


def fail(line_no, msg):
    print(f"clockprobe_check: line {line_no}: {msg}")
    sys.exit(1)


def main():
    path = sys.argv[1]
    must = sys.argv[2:]
    header = None
    last_seq = {}
    last_order = 0
    counts = {}
    n = 0
    with open(path, encoding="utf-8") as f:
        for line_no, text in enumerate(f, 1):
            if not text.endswith("\n"):
                fail(line_no, "the last line has no newline")
            rec = json.loads(text)
            if line_no == 1:
                if rec.get("type") != "header":
                    fail(1, "the first line is not the header")
                for key in ("format", "version", "producer", "ref", "clocks", "cpus"):
                    if key not in rec:
                        fail(1, f"the header has no {key}")
                if rec["format"] != "sim-trace" or rec["version"] != 1:
                    fail(1, "not sim-trace version 1")
                header = rec
                continue
            if rec.get("type") != "read":
                fail(line_no, f"type {rec.get('type')!r}, expected read")
            vcpu = integer(line_no, rec, "vcpu")
            seq = integer(line_no, rec, "seq")
            order = integer(line_no, rec, "order")
            clock = rec.get("clock")
            if clock not in header["clocks"]:
                fail(line_no, f"clock {clock!r} is not in the header's clocks")
            integer(line_no, rec, "value" if clock == "tsc" else "value_ns")
            before = integer(line_no, rec, "ref_before")
            after = integer(line_no, rec, "ref_after")
            if before > after:
                fail(line_no, f"ref_before {before} > ref_after {after}")
            if seq <= last_seq.get(vcpu, 0):
                fail(line_no, f"vcpu {vcpu}: seq {seq} after {last_seq[vcpu]}")
            last_seq[vcpu] = seq
            if order <= last_order:
                fail(line_no, f"order {order} after {last_order}")
            last_order = order
            counts[(vcpu, clock)] = counts.get((vcpu, clock), 0) + 1
            n += 1
    if header is None or n == 0:
        fail(0, "no reads")
    cpus = sorted(last_seq)
    if len(cpus) != header["cpus"]:
        fail(0, f"reads on {len(cpus)} vCPUs, the header says {header['cpus']}")
    for clock in header["clocks"]:
        for cpu in cpus:
            if counts.get((cpu, clock), 0) == 0:
                fail(0, f"no {clock} read on vcpu {cpu}")
    for clock in must:
        if clock not in header["clocks"]:
            fail(0, f"{clock} is not among the header's clocks")
    per_clock = ", ".join(
        f"{c} {sum(v for (cpu, cc), v in counts.items() if cc == c)}" for c in header["clocks"])
    print(f"clockprobe_check: {n} reads on vCPUs {cpus} ({per_clock}); structure ok")


main()
