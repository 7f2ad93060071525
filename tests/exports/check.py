#!/usr/bin/env python3
"""Checks of `sim run --vcd` and `--perfetto` outputs for tests/exports.sh.

Each subcommand prints what it found and exits 1 on the first mismatch.
Expected values come from the datasheet (PIT), from the scenario files, from
the JSON report or from the --trace of the same run, never from the writer
under test.
"""
import json
import re
import sys

PIT_CLK_PS_NUM, PIT_CLK_PS_DEN = 88_000_000, 105   # 105/88 MHz: CLK edge n at ceil(n * 88e6 / 105) ps


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ceil_div(a, b):
    return -(-a // b)


# ---- VCD ------------------------------------------------------------------

def parse_vcd(path, strict=False):
    """Returns ({path: (id, width)}, {id: [(t, value or None)]}, end time)."""
    text = open(path).read()
    head, sep, body = text.partition("$enddefinitions $end")
    if not sep:
        fail(f"{path}: no $enddefinitions")
    scopes, names, ids = [], {}, {}
    for m in re.finditer(r"\$(\w+)(.*?)\$end", head, re.S):
        kw, arg = m.group(1), m.group(2).split()
        if kw == "scope":
            scopes.append(arg[1])
        elif kw == "upscope":
            scopes.pop()
        elif kw == "var":
            vtype, width, ident, name = arg[0], int(arg[1]), arg[2], arg[3]
            if strict and (vtype not in ("wire", "reg") or (vtype == "wire") != (width == 1)):
                fail(f"{path}: bad $var {arg}")
            if strict and ident in ids:
                fail(f"{path}: identifier {ident} declared twice")
            full = ".".join(scopes + [name])
            names[full] = (ident, width)
            ids[ident] = width
        elif kw == "timescale" and strict and arg != ["1ps"]:
            fail(f"{path}: timescale {arg}")
    if strict and scopes:
        fail(f"{path}: unbalanced $scope")
    changes = {i: [] for i in ids}
    t, end, seen_time = 0, 0, False
    for line in body.split("\n"):
        line = line.strip()
        if not line or line in ("$dumpvars", "$end"):
            continue
        if line.startswith("$"):
            if strict:
                fail(f"{path}: unexpected {line} after the header")
            continue
        if line[0] == "#":
            nt = int(line[1:])
            if strict and seen_time and nt <= t:
                fail(f"{path}: time #{nt} after #{t}")
            t, end, seen_time = nt, nt, True
            continue
        if line[0] in "01xz":
            ident, val = line[1:], line[0]
        elif line[0] == "b":
            val, ident = line[1:].split()
        else:
            fail(f"{path}: cannot parse {line!r}")
        if ident not in ids:
            fail(f"{path}: value for undeclared {ident}")
        if strict and (len(val) > ids[ident] or re.fullmatch(r"[01]+|x", val) is None):
            fail(f"{path}: bad value {line!r} for width {ids[ident]}")
        v = None if "x" in val or "z" in val else int(val, 2)
        changes[ident].append((t, v))
    return names, changes, end


def history(changes, ident):
    """The distinct values in order, the last one per timestamp, x dropped."""
    out = []
    for t, v in changes[ident]:
        if out and out[-1][0] == t:
            out.pop()
        if v is not None and (not out or out[-1][1] != v):
            out.append((t, v))
    # a value written twice at one time may now repeat its predecessor
    dedup = []
    for tv in out:
        if not dedup or dedup[-1][1] != tv[1]:
            dedup.append(tv)
    return dedup


def value_at(changes, ident, t):
    v = None
    for ct, cv in changes[ident]:
        if ct > t:
            break
        v = cv
    return v


def vcd_same(a, b):
    """b (fst2vcd of vcd2fst of a) holds every signal of a with the same changes."""
    na, ca, ea = parse_vcd(a, strict=True)
    nb, cb, eb = parse_vcd(b)
    if set(na) != set(nb):
        fail(f"round trip: signals differ: {sorted(set(na) ^ set(nb))}")
    total = 0
    for name, (ida, _) in na.items():
        ha, hb = history(ca, ida), history(cb, nb[name][0])
        if ha != hb:
            fail(f"round trip: {name}: {ha[:5]}... != {hb[:5]}...")
        total += len(ha)
    print(f"vcd: {len(na)} signals, {total} changes survive vcd2fst/fst2vcd, end #{ea}")


def pit(vcd, reload_n, end_ps):
    """irq0 is OUT0 of channel 0 in mode 2: low at CLK kN, high at kN + 1 (8254 datasheet)."""
    names, ch, _ = parse_vcd(vcd)
    got = history(ch, names["sim.irq.irq0"][0])
    want = [(0, 1)]
    k = 1
    while True:
        lo = ceil_div(k * reload_n * PIT_CLK_PS_NUM, PIT_CLK_PS_DEN)
        hi = ceil_div((k * reload_n + 1) * PIT_CLK_PS_NUM, PIT_CLK_PS_DEN)
        if lo > end_ps:
            break
        want.append((lo, 0))
        if hi <= end_ps:
            want.append((hi, 1))
        k += 1
    if got != want:
        fail(f"irq0 edges {got[:6]} ... ({len(got)}), datasheet {want[:6]} ... ({len(want)})")
    rd = names["sim.pit.read_value"][0]
    for t, v in ((500_000_000, 0x56), (501_000_000, 0x02)):
        if value_at(ch, rd, t) != v:
            fail(f"pit.read_value at {t} ps: {value_at(ch, rd, t)}, expected {v:#x}")
    print(f"pit: {len(got)} irq0 edges at the datasheet's times, latched count 0x0256 read back")


def trace_int(v):
    """A sim-trace integer: a number, or a decimal or 0x-hex string (values >= 2^53)."""
    return v if isinstance(v, int) else int(v, 0)


def pvclock(vcd, trace, want_stopped="any"):
    """Each vCPU's flags and version equal the page writes of the same run's --trace."""
    names, ch, _ = parse_vcd(vcd)
    last, vms = {}, []
    for line in open(trace):
        r = json.loads(line)
        # sim-trace v1 (docs/trace-format.md): sim's runs write "ref" in ps
        if r.get("type") == "header":
            vms = r.get("vms", [])
        if r.get("type") == "pvclock":
            last[(r.get("vm", -1), r["vcpu"], trace_int(r["ref"]))] = r
    if not last:
        fail("no pvclock line in the trace")
    stopped = 0
    for (vm, cpu, t), r in sorted(last.items()):
        # several VMs: each VM's scope holds its vCPUs' (docs/exports.md)
        sc = f"sim.vm_{vms[vm]}.vcpu{cpu}." if vm >= 0 else f"sim.vcpu{cpu}."
        flags = trace_int(r["flags"])
        for sig, want in (("stable", flags & 1), ("guest_stopped", (flags >> 1) & 1),
                          ("pvclock_version", trace_int(r["version"]))):
            got = value_at(ch, names[sc + sig][0], t)
            if got != want:
                fail(f"{sc}{sig} at {t} ps: {got}, the trace says {want}")
        stopped += (flags >> 1) & 1
    if want_stopped == "stopped" and not stopped:
        fail("no page write with GUEST_STOPPED: the test scenario should set it")
    print(f"pvclock: {len(last)} page writes match the trace, {stopped} with GUEST_STOPPED")


# ---- Perfetto (protoc --decode text) ----------------------------------------

def parse_packets(path):
    """Each packet as a dict: timestamp, seq, track (descriptor dict) or event dict."""
    packets, stack, cur = [], [], None
    for raw in open(path):
        line = raw.strip()
        if line == "packet {":
            cur = {"event": None, "track": None, "seq": None, "timestamp": None}
            stack = ["packet"]
            continue
        if line.endswith("{"):
            name = line[:-1].strip()
            stack.append(name)
            if name == "track_event":
                cur["event"] = {"flow_ids": [], "terminating_flow_ids": [], "args": {}}
            elif name == "track_descriptor":
                cur["track"] = {"counter": False}
            elif name == "counter":
                cur["track"]["counter"] = True
            elif name == "debug_annotations":
                cur["arg"] = {}
            continue
        if line == "}":
            name = stack.pop()
            if name == "packet":
                packets.append(cur)
            elif name == "debug_annotations":
                a = cur.pop("arg")
                cur["event"]["args"][a["name"]] = a.get("value")
            continue
        key, _, val = line.partition(": ")
        val = val.strip('"')
        where = stack[-1]
        if where == "packet":
            if key == "timestamp":
                cur["timestamp"] = int(val)
            elif key == "trusted_packet_sequence_id":
                cur["seq"] = int(val)
        elif where == "track_event":
            e = cur["event"]
            if key in ("flow_ids", "terminating_flow_ids"):
                e[key].append(int(val))
            elif key in ("track_uuid", "counter_value"):
                e[key] = int(val)
            else:
                e[key] = val
        elif where == "track_descriptor":
            cur["track"][key] = int(val) if key in ("uuid", "parent_uuid") else val
        elif where == "debug_annotations":
            cur["arg"]["name" if key == "name" else "value"] = val
        elif where == "process":
            cur["track"][key] = int(val) if key == "pid" else val
    return packets


def common(packets):
    """Descriptors first, every event on a declared track, sequence id on every packet."""
    tracks, events, seen_event = {}, [], False
    for p in packets:
        if p["seq"] != 1:
            fail("a packet without trusted_packet_sequence_id 1")
        if p["track"]:
            if seen_event:
                fail(f"track descriptor {p['track']} after the first event")
            tracks[p["track"]["uuid"]] = p["track"]
        else:
            seen_event = True
            e = p["event"]
            if e.get("track_uuid") not in tracks:
                fail(f"event on undeclared track {e.get('track_uuid')}")
            e["timestamp"] = p["timestamp"]
            events.append(e)
    flows = {}
    for e in events:
        for f in e["flow_ids"]:
            flows[f] = e["timestamp"]
    for e in events:
        for f in e["terminating_flow_ids"]:
            if f not in flows or flows[f] > e["timestamp"]:
                fail(f"flow {f} ends at {e['timestamp']} before or without its page write")
    return tracks, events


def named(tracks, name):
    return [u for u, t in tracks.items() if t.get("name") == name]


def perfetto_migrate(txt, report, scenario):
    packets = parse_packets(txt)
    tracks, events = common(packets)
    sc = json.load(open(scenario))
    rep = json.load(open(report))["scenarios"][0]
    nvcpus = sc["vm"]["vcpus"]
    for v in range(nvcpus):
        for f in ("version", "system_time", "tsc_timestamp", "flags"):
            if len(named(tracks, f"vCPU {v} pvclock {f}")) != 1:
                fail(f"no counter track 'vCPU {v} pvclock {f}'")
    nseries = 0
    for r in sc["readers"]:
        n = nvcpus if r["vcpus"] == "all" else len(r["vcpus"])
        if len(named(tracks, f"{r['name']} error (ns)")) != n:
            fail(f"reader {r['name']}: expected {n} error tracks")
        nseries += n
    # the violation instant at the report's time (ns, floor of ps)
    nviol = 0
    for r in rep["readers"]:
        for c in r["checks"]:
            fv = c.get("first_violation")
            if not fv:
                continue
            nviol += 1
            want = fv["t_ps"] // 1000
            hits = [e for e in events if e.get("name") == f"violation: {c['check']}"
                    and e["args"].get("reader") == r["name"]]
            if [e["timestamp"] for e in hits] != [want]:
                fail(f"{r['name']} {c['check']}: instants at {[e['timestamp'] for e in hits]}, "
                     f"the report says {want} ns")
    if nviol == 0:
        fail("the scenario should have a violation")
    # the migration: a phase slice and the guest-stopped slice over the downtime
    m = sc["migrations"][0]
    at_ns = int(float(m["at"].rstrip("s")) * 1e9)
    down_ns = int(float(m["downtime"].rstrip("ms")) * 1e6)
    vmm = named(tracks, "VMM migration")[0]
    stop = named(tracks, "guest stopped")[0]
    want_vmm = [("TYPE_SLICE_BEGIN", at_ns, "migration0: stop"),
                ("TYPE_SLICE_END", at_ns + down_ns, None),
                ("TYPE_INSTANT", at_ns + down_ns, "migration0: resume")]
    got_vmm = [(e["type"], e["timestamp"], e.get("name")) for e in events
               if e["track_uuid"] == vmm]
    if got_vmm != want_vmm:
        fail(f"VMM migration track: {got_vmm}, expected {want_vmm}")
    got_stop = [(e["type"], e["timestamp"]) for e in events if e["track_uuid"] == stop]
    if got_stop != [("TYPE_SLICE_BEGIN", at_ns), ("TYPE_SLICE_END", at_ns + down_ns)]:
        fail(f"guest stopped track: {got_stop}")
    # the bound (docs/exports.md): descriptors, 2 per series per 1 ms bucket (+1 each
    # side), 5 packets and a flow end per page write, a window of 2 x 8 + 3 reads and
    # an instant per violation, 2 per VMM phase and guest stop
    buckets = sc_duration_ms(sc)
    npw = rep["pvclock_page_writes"]
    bound = len(tracks) + nseries * 2 * (buckets + 1) + 6 * npw + 20 * nviol + 2 * 4
    if len(packets) > bound:
        fail(f"{len(packets)} packets, more than the bound {bound}")
    print(f"perfetto: {len(tracks)} tracks, {len(events)} events, {len(packets)} packets "
          f"<= {bound}, violation at the report's time, migration slices at {at_ns} ns")


def sc_duration_ms(sc):
    d = sc["duration"]
    return int(float(d.rstrip("s")) * 1000) if d.endswith("s") and not d.endswith("ms") else 0


def perfetto_decimated(txt, report):
    packets = parse_packets(txt)
    tracks, events = common(packets)
    rep = json.load(open(report))["scenarios"][0]
    reads = sum(r["reads"] for r in rep["readers"])
    counters = [u for u in named(tracks, "kvmclock error (ns)")]
    kept = [e for e in events if e.get("track_uuid") in counters]
    buckets = rep["duration_ps"] // 1_000_000_000
    bound = len(counters) * 2 * (buckets + 1)
    if len(kept) > bound:
        fail(f"{len(kept)} error counter events for {reads} reads, more than {bound}")
    for u in counters:
        ts = [e["timestamp"] for e in kept if e["track_uuid"] == u]
        if ts != sorted(ts):
            fail(f"track {u}: counter values out of time order")
        per_ms = {}
        for t in ts:
            per_ms[t // 1_000_000] = per_ms.get(t // 1_000_000, 0) + 1
        if max(per_ms.values()) > 2:
            fail(f"track {u}: more than 2 values in one 1 ms bucket")
    print(f"perfetto: {reads} reads kept as {len(kept)} counter values (<= {bound}: 2 per ms)")


def perfetto_vms(txt, trace, scenario):
    """Several VMs: a process track per VM (pid index + 1, named by the VM) with its vCPU
    groups, page writes and guest stops under it, as the same run's --trace has them."""
    tracks, events = common(parse_packets(txt))
    sc = json.load(open(scenario))
    vms = sc["vms"]
    writes, stops = {}, {}
    for line in open(trace):
        r = json.loads(line)
        if r["type"] == "pvclock":
            key = (r["vm"], r["vcpu"])
            writes[key] = writes.get(key, 0) + 1
        elif r["type"] == "guest_run" and not r["running"]:
            stops[r["vm"]] = stops.get(r["vm"], 0) + 1
    if not writes:
        fail("no pvclock line in the trace")
    by_parent = {}
    for u, t in tracks.items():
        by_parent.setdefault(t.get("parent_uuid"), []).append(u)
    for i, vm in enumerate(vms):
        procs = [u for u, t in tracks.items() if t.get("pid") == i + 1]
        if len(procs) != 1:
            fail(f"VM {vm['name']}: {len(procs)} process tracks with pid {i + 1}")
        proc = tracks[procs[0]]
        if proc.get("process_name") != vm["name"] or proc.get("name") != vm["name"] \
                or "parent_uuid" in proc:
            fail(f"VM {vm['name']}: process track {proc}")
        kids = {tracks[u]["name"]: u for u in by_parent.get(procs[0], [])}
        for j in range(vm["vcpus"]):
            g = kids.get(f"vCPU {j}")
            if g is None:
                fail(f"VM {vm['name']}: no vCPU {j} under its process track: {sorted(kids)}")
            pw = {tracks[u]["name"]: u for u in by_parent.get(g, [])}
            got = sum(1 for e in events if e["track_uuid"] == pw[f"vCPU {j} pvclock writes"]
                      and e.get("name") == "page write")
            if got != writes.get((i, j), 0):
                fail(f"VM {vm['name']} vCPU {j}: {got} page writes, the trace has "
                     f"{writes.get((i, j), 0)}")
        if f"vCPU {vm['vcpus']}" in kids:
            fail(f"VM {vm['name']}: a vCPU {vm['vcpus']} track")
        got = sum(1 for e in events if e["track_uuid"] == kids["guest stopped"]
                  and e.get("type") == "TYPE_SLICE_BEGIN")
        if got != stops.get(i, 0):
            fail(f"VM {vm['name']}: {got} guest-stopped slices, the trace has {stops.get(i, 0)}")
    # each guest reader's tracks under a vCPU group of its own VM
    for r in sc["readers"]:
        vm = [v["name"] for v in vms].index(r["vm"])
        procs = [u for u, t in tracks.items() if t.get("pid") == vm + 1]
        groups = set(by_parent.get(procs[0], []))
        for u, t in tracks.items():
            if t.get("name") == r["name"] + " error (ns)" and t.get("parent_uuid") not in groups:
                fail(f"reader {r['name']}: its counter is not under VM {r['vm']}'s vCPUs")
    print(f"perfetto: {len(vms)} VMs as process tracks, {sum(writes.values())} page writes and "
          f"{sum(stops.values())} guest stops on their VM's tracks")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"vcd-same": lambda: vcd_same(*args),
     "pit": lambda: pit(args[0], int(args[1]), int(args[2])),
     "pvclock": lambda: pvclock(*args),
     "perfetto-migrate": lambda: perfetto_migrate(*args),
     "perfetto-decimated": lambda: perfetto_decimated(*args),
     "perfetto-vms": lambda: perfetto_vms(*args)}[cmd]()


if __name__ == "__main__":
    main()
