#!/bin/sh
# `sim run --vcd` and `--perfetto` checked with real consumers (issue 10 §2):
# GTKWave's vcd2fst converts the VCD and fst2vcd reads it back with every
# change intact; the values read back equal the 8254 datasheet (PIT OUT0 on
# irq0) and the --trace of the same run (pvclock flags and versions);
# protoc decodes the Perfetto trace against tests/perfetto/trace_subset.proto
# and the decoded packets show the tracks, the violation at the report's
# time, the migration's slices and the decimation bound; with several VMs the
# VCD has a scope and the Perfetto trace a process track per VM.  Both outputs are
# byte-identical across reruns, and memory does not grow from 10 s to 100 s
# of simulated time.  The shell examples of docs/exports.md run as written.
#
# usage: exports.sh SIM PYTHON SOURCE_ROOT
set -u
sim="$1"
python="$2"
root="$3"
check="$root/tests/exports/check.py"
proto="$root/tests/perfetto"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

for prog in vcd2fst fst2vcd protoc /usr/bin/time; do
	if ! command -v "$prog" >/dev/null 2>&1; then
		echo "SKIP: $prog not found (tools/bootstrap installs gtkwave, protobuf-compiler, time)"
		exit 77
	fi
done

# run NAME STATUS SIM-ARGS...: sim run with the expected exit status.
run() {
	name=$1
	want=$2
	shift 2
	"$sim" run "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
	[ "$st" -eq "$want" ] || fail "$name: exit $st, expected $want: $(cat "$tmp/$name.err")"
}

# roundtrip NAME: NAME.vcd through vcd2fst (silent, exit 0) and fst2vcd to NAME.rt.vcd.
roundtrip() {
	if ! vcd2fst "$tmp/$1.vcd" "$tmp/$1.fst" >"$tmp/$1.conv" 2>&1 || [ -s "$tmp/$1.conv" ]; then
		fail "$1: vcd2fst: $(cat "$tmp/$1.conv")"
		return 1
	fi
	fst2vcd "$tmp/$1.fst" >"$tmp/$1.rt.vcd" 2>"$tmp/$1.conv" ||
		{ fail "$1: fst2vcd: $(cat "$tmp/$1.conv")"; return 1; }
	"$python" "$check" vcd-same "$tmp/$1.vcd" "$tmp/$1.rt.vcd" || fail "$1: round trip"
}

decode() {  # NAME: NAME.pftrace -> NAME.txt through protoc
	protoc --decode=perfetto.protos.Trace -I "$proto" "$proto/trace_subset.proto" \
		<"$tmp/$1.pftrace" >"$tmp/$1.txt" 2>"$tmp/$1.perr" ||
		{ fail "$1: protoc --decode: $(cat "$tmp/$1.perr")"; return 1; }
}

# 1. PIT OUT0 on irq0 at the datasheet's edges; the latched count read back.
run pit 0 --vcd "$tmp/pit.vcd" "$root/tests/exports/pit_out0.json"
roundtrip pit && { "$python" "$check" pit "$tmp/pit.rt.vcd" 1193 20000000000 || fail "pit values"; }

# 2. pvclock flags and versions per vCPU equal the page writes on --trace;
# with several VMs (pause_one_vm: VM b's pause sets GUEST_STOPPED on b's pages
# only) in each VM's scope, vm_NAME.vcpuN.
for s in migrate_slow:any fast_reads:stopped pause_one_vm:stopped; do
	name=${s%%:*}
	f="$root/scenarios/$name.json"
	[ -f "$f" ] || f="$root/tests/exports/$name.json"
	[ -f "$f" ] || f="$root/tests/mvexports/$name.json"
	run "$name" 0 --vcd "$tmp/$name.vcd" --trace "$tmp/$name.jsonl" "$f"
	roundtrip "$name" &&
		{ "$python" "$check" pvclock "$tmp/$name.rt.vcd" "$tmp/$name.jsonl" "${s#*:}" ||
			fail "$name: pvclock signals"; }
done

# 3. Perfetto: tracks, the violation at the report's time, slices, the bound.
run migrate 0 --perfetto "$tmp/migrate.pftrace" --json "$tmp/migrate.json" \
	"$root/scenarios/migrate_slow.json"
decode migrate && { "$python" "$check" perfetto-migrate "$tmp/migrate.txt" "$tmp/migrate.json" \
	"$root/scenarios/migrate_slow.json" || fail "migrate_slow perfetto"; }
run fast 0 --perfetto "$tmp/fast.pftrace" --json "$tmp/fast.json" "$root/tests/exports/fast_reads.json"
decode fast && { "$python" "$check" perfetto-decimated "$tmp/fast.txt" "$tmp/fast.json" ||
	fail "fast_reads decimation"; }

# 3b. Several VMs: a process track per VM (pid, name) holding its vCPUs, page
# writes and guest stops as the same run's --trace has them (pause_one_vm:
# only VM b stops; two_hosts: VM b migrates).
for f in "$root/tests/mvexports/pause_one_vm.json" "$root/tests/vms/two_hosts.json"; do
	name=vms_$(basename "$f" .json)
	run "$name" 0 --perfetto "$tmp/$name.pftrace" --trace "$tmp/$name.jsonl" "$f"
	decode "$name" && { "$python" "$check" perfetto-vms "$tmp/$name.txt" "$tmp/$name.jsonl" \
		"$f" || fail "$name: perfetto tracks per VM"; }
done

# 4. Byte-identical reruns.
run pit2 0 --vcd "$tmp/pit2.vcd" "$root/tests/exports/pit_out0.json"
cmp -s "$tmp/pit.vcd" "$tmp/pit2.vcd" || fail "--vcd differs between two runs"
# ... and equal the committed file on every compiler and build type (from $timescale
# on: the $comment names sim's version).  Regenerate with the command in docs/exports.md.
sed -n '/^\$timescale/,$p' "$tmp/pit.vcd" >"$tmp/pit.body"
cmp -s "$root/tests/exports/pit_out0.vcd" "$tmp/pit.body" ||
	fail "--vcd of pit_out0.json differs from tests/exports/pit_out0.vcd: $(diff "$root/tests/exports/pit_out0.vcd" "$tmp/pit.body" | head -5)"
run migrate2 0 --perfetto "$tmp/migrate2.pftrace" "$root/scenarios/migrate_slow.json"
cmp -s "$tmp/migrate.pftrace" "$tmp/migrate2.pftrace" || fail "--perfetto differs between two runs"

# 5. Memory: the same scenario for 10 s and 100 s, both exports on; max RSS within 1 MiB.
sed 's/"duration": "10s"/"duration": "100s"/' "$root/tests/exports/fast_reads.json" >"$tmp/long.json"
rss() {  # FILE -> max RSS in KiB
	/usr/bin/time -f '%M' -o "$tmp/rss" "$sim" run --vcd "$tmp/m.vcd" --perfetto "$tmp/m.pftrace" \
		"$1" >/dev/null 2>&1 || fail "rss run of $1"
	tail -n 1 "$tmp/rss"
}
# (Not under AddressSanitizer, whose shadow memory and quarantine make RSS mean little.)
if ldd "$sim" 2>/dev/null | grep -q libasan; then
	echo "max RSS: not compared in a sanitizer build (the normal and release builds do)"
else
	short=$(rss "$root/tests/exports/fast_reads.json")
	long=$(rss "$tmp/long.json")
	echo "max RSS: 10 s $short KiB, 100 s $long KiB"
	[ "$long" -le $((short + 1024)) ] ||
		fail "memory grows with the run: $short KiB at 10 s, $long KiB at 100 s"
fi

# 6. Usage errors: one scenario file per export; an option without its file.
run two 2 --vcd "$tmp/x.vcd" "$root/tests/exports/pit_out0.json" "$root/tests/exports/pit_out0.json"
grep -q 'sim run: --vcd takes one scenario file, not 2' "$tmp/two.err" || fail "two files: $(cat "$tmp/two.err")"
run noarg 2 --perfetto
grep -q 'sim run: --perfetto needs a file name' "$tmp/noarg.err" || fail "no file: $(cat "$tmp/noarg.err")"
run nodir 2 --perfetto "$tmp/no/such/dir.pftrace" "$root/tests/exports/pit_out0.json"
grep -q "cannot write $tmp/no/such/dir.pftrace" "$tmp/nodir.err" || fail "unwritable: $(cat "$tmp/nodir.err")"

# 7. The docs' shell examples, as written, from a directory laid out like the source tree.
mkdir -p "$tmp/docs/bin"
ln -s "$(cd "$(dirname "$sim")" && pwd)/$(basename "$sim")" "$tmp/docs/bin/sim"
ln -s "$root/scenarios" "$tmp/docs/scenarios"
ln -s "$root/tests" "$tmp/docs/tests"
perl -ne 'if (/^```sh$/ && $prev =~ /tests\/exports\.sh runs this/) { $in = 1; next }
	if ($in && /^```$/) { $in = 0; print "\n"; next }
	print if $in; $prev = $_ if /\S/' "$root/docs/exports.md" >"$tmp/docs/examples.sh"
[ -s "$tmp/docs/examples.sh" ] || fail "docs/exports.md: no example marked for this test"
(cd "$tmp/docs" && PATH="$tmp/docs/bin:$PATH" sh -e examples.sh >examples.out 2>&1) ||
	fail "docs/exports.md examples: $(tail -5 "$tmp/docs/examples.out")"

if [ "$fails" -ne 0 ]; then
	echo "exports: $fails failure(s)"
	exit 1
fi
echo "exports: all checks pass"
