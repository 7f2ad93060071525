#!/bin/sh
# Sweeps end to end (docs/sweeps.md): a 210-job sweep run in one process,
# sharded four ways through GNU parallel and through xargs -P, merged, and
# compared byte for byte; resume, conflicts, missing jobs, the environment's
# shards, `sim run --vary`, bad input and progress.  The counts are derived
# in tests/sweep/sweep.json's description: 150 jobs pass, 60 fail.
set -u
sim=$(realpath "$1")
dir=$(realpath "$2")
root=$(realpath "$3")            # the source tree: docs/sweeps.md's examples run from there
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# status description command...: runs it, output in out/err
run() {
	want=$1
	what=$2
	shift 2
	"$@" >out 2>err
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, expected $want"
		cat out err >&2
	fi
}

has() {  # file pattern description
	grep -qE -- "$2" "$1" || { fail "$3: no line matching /$2/ in $1:"; cat "$1" >&2; }
}

plan="$dir/sweep.json"

# the commands are in the table and describe themselves
run 0 "sim --help" "$sim" --help
has out '^  sweep SWEEP.json +run a scenario' "sim --help lists sweep"
has out '^  merge FILE\.\.\. +join a sweep' "sim --help lists merge"
run 0 "sweep --help" "$sim" sweep --help
has out '^usage: sim sweep SWEEP.json \[--list\] \[--shard K/N\]' "sweep --help"
run 0 "merge --help" "$sim" merge --help
has out '^usage: sim merge \[--plan SWEEP.json\]' "merge --help"
run 2 "sweep without a file" "$sim" sweep
has err "^sim sweep: no sweep file given$" "no file"
run 2 "sweep, unknown option" "$sim" sweep "$plan" --colour
has err "^sim sweep: unknown option --colour$" "unknown option"
run 2 "merge without files" "$sim" merge

# the plan: 210 jobs, 210 different ids, in index order
run 0 "--list" "$sim" sweep "$plan" --list
[ "$(wc -l <out)" -eq 210 ] || fail "--list: $(wc -l <out) jobs, expected 210"
[ "$(cut -d' ' -f1 out | sort -u | wc -l)" -eq 210 ] || fail "--list: ids are not unique"
[ "$(cut -d' ' -f2 out | tr '\n' ' ')" = "$(seq 0 209 | tr '\n' ' ')" ] ||
	fail "--list: indices are not 0..209 in order"
head -1 out | grep -qE '^[0-9a-f]{16} 0 seed=1 /hosts/1/tsc="2999000kHz"$' ||
	fail "--list: first job is $(head -1 out)"
cp out list.txt

# one process: the reference
run 1 "one process" "$sim" sweep "$plan" --out all.jsonl
has out '^sweep: 210 jobs of 210: 150 pass, 60 fail, 0 error$' "summary"
has out '^    tsc/rate: 60 of 210 failed$' "rate failures"
[ "$(grep -cE '^      -333394 ppb  job [0-9a-f]{16}  seed [0-9]+  \{"/hosts/1/tsc":"2999000kHz"\}$' out)" -eq 3 ] ||
	fail "the three worst rates are not the 2999 MHz host's -333394 ppb"
[ "$(wc -l <all.jsonl)" -eq 210 ] || fail "rows: $(wc -l <all.jsonl), expected 210"
cut -c8-23 all.jsonl | sort -c 2>/dev/null || fail "rows are not sorted by id"
[ "$(cut -c8-23 all.jsonl | sort)" = "$(cut -d' ' -f1 list.txt | sort)" ] ||
	fail "the rows' ids are not the listed ids"
grep -q 'time\|wall\|elapsed' all.jsonl && fail "a row has a wall-clock field"
[ "$(grep -c '"verdict":"pass"' all.jsonl)" -eq 150 ] || fail "not 150 passing rows"
# a passing row: the 3000.3 MHz host is 100 ppm fast (exactly 300/3e6: worst within 1 ppm)
grep '"/hosts/1/tsc":"3000300kHz"' all.jsonl | head -1 | grep -qE '"check":"rate","met":true,"worst":(99[0-9]{3}|100[0-9]{3}),"unit":"ppb"' ||
	fail "the 3000.3 MHz rows' rate is not about +100 ppm"

# rows are written as their jobs finish, in id order, and none is held back:
# a run that stops (here: its --out file may not pass 4 KiB, ulimit -f 8)
# leaves the first rows of the one-process file, whole but for the last
( trap '' XFSZ; ulimit -f 8; exec "$sim" sweep "$plan" --out cut.jsonl ) >out 2>err
st=$?
[ "$st" -eq 2 ] || fail "a sweep whose --out cannot grow: exit $st, expected 2"
has err '^sim sweep: cannot write a result row' "the stopped writer"
whole=$(wc -l <cut.jsonl)
[ "$whole" -ge 5 ] || fail "a run stopped at 4 KiB wrote $whole whole rows, expected 5 or more"
head -n "$whole" all.jsonl >cut-want.jsonl
head -n "$whole" cut.jsonl | cmp -s - cut-want.jsonl ||
	fail "the rows of a stopped run are not the first $whole rows of the one-process file"

# four shards through GNU parallel ({#} counts from 1), merged
if command -v parallel >/dev/null; then
	parallel --will-cite -j 2 "$sim sweep $plan --shard \$(({#}-1))/4 --out par{#}.jsonl >/dev/null" ::: a b c d
	[ "$(cat par1.jsonl par2.jsonl par3.jsonl par4.jsonl | wc -l)" -eq 210 ] || fail "parallel: not 210 rows"
	[ "$(wc -l <par2.jsonl)" -eq 53 ] || fail "parallel: shard 1/4 has $(wc -l <par2.jsonl) rows, expected 53"
	run 1 "merge" "$sim" merge --plan "$plan" --out merged.jsonl par1.jsonl par2.jsonl par3.jsonl par4.jsonl
	cmp -s merged.jsonl all.jsonl || fail "GNU parallel's four shards, merged, differ from one process"
	has out '^sweep: 210 jobs of 210: 150 pass, 60 fail, 0 error$' "merge summary"
	[ -s err ] && { fail "merge of every shard listed something:"; cat err >&2; }
else
	no_parallel=1
fi

# xargs -P, the shards in the other order, merged to stdout
seq 0 3 | xargs -P 2 -I K "$sim" sweep "$plan" --shard K/4 --out xa-K.jsonl >/dev/null
run 1 "merge to stdout" "$sim" merge xa-3.jsonl xa-1.jsonl xa-0.jsonl xa-2.jsonl
cmp -s out all.jsonl || fail "xargs -P shards, merged, differ from one process"
has err '^sweep: 210 jobs' "merge summary on stderr"

# a shard whose rows are not sorted (joined by hand) is read whole, with the same result
sort -r xa-1.jsonl >xa-1r.jsonl
run 1 "merge of an unsorted shard" "$sim" merge xa-0.jsonl xa-1r.jsonl xa-2.jsonl xa-3.jsonl
cmp -s out all.jsonl || fail "an unsorted shard, merged, differs from one process"
# the output may be an input: the merge must not cut it while it reads it
cp xa-0.jsonl self.jsonl
run 1 "merge into an input" "$sim" merge --out self.jsonl self.jsonl xa-1.jsonl xa-2.jsonl xa-3.jsonl
cmp -s self.jsonl all.jsonl || fail "a merge into one of its inputs differs from one process"
# and a shard given twice, or read from stdin or a named pipe, merges the same
run 1 "merge of a shard twice and stdin" sh -c "\"\$0\" merge xa-0.jsonl xa-1.jsonl xa-0.jsonl - xa-3.jsonl <xa-2.jsonl" "$sim"
cmp -s out all.jsonl || fail "a shard twice and stdin, merged, differ from one process"
mkfifo shard.fifo
cat xa-2.jsonl >shard.fifo &
writer=$!
run 1 "merge of a named pipe" timeout 30 "$sim" merge xa-0.jsonl xa-1.jsonl shard.fifo xa-3.jsonl
kill "$writer" 2>/dev/null   # blocked for good if sim never opened the pipe
wait "$writer" 2>/dev/null
cmp -s out all.jsonl || fail "shards with a named pipe, merged, differ from one process"

# memory: sorted shards merge a row at a time, so 63000 rows (19 MB) merge
# within 16 MB of address space, where reading them whole needs about 30 MB.
# The rows are the sweep's 210, 300 times over with new ids, in id order
# (300 x 150 pass and 300 x 60 fail), dealt round-robin to 4 shards, and to
# 1500: more than a soft limit of 1024 open files, which the merge raises.
awk -v n=63000 '{ t[NR] = $0 } END {
	for (k = 0; k < n; k++) {
		r = t[k % NR + 1]
		print substr(r, 1, 7) sprintf("%016x", k * 7919 + 1) substr(r, 24)
	}
}' all.jsonl >big.jsonl
mkdir big4 big1500
split -n r/4 -d -a 4 --additional-suffix=.jsonl big.jsonl big4/s
( ulimit -n 1024; split -n r/1500 -d -a 4 --additional-suffix=.jsonl big.jsonl big1500/s )
if ldd "$sim" 2>/dev/null | grep -q 'libasan'; then
	echo "sweep.sh: the 16 MB merges are not run: AddressSanitizer reserves terabytes of address space"
else
	for shards in 4 1500; do
		( ulimit -Sn 1024; ulimit -v 16384; exec "$sim" merge --out big-merged.jsonl big$shards/*.jsonl ) >out 2>err
		st=$?
		[ "$st" -eq 1 ] || { fail "a merge of 63000 rows from $shards shards in 16 MB: exit $st, expected 1"; cat err >&2; }
		cmp -s big-merged.jsonl big.jsonl || fail "63000 rows from $shards shards merged in 16 MB differ from the rows in id order"
		has out '^sweep: 63000 jobs of 63000: 45000 pass, 18000 fail, 0 error$' "the 63000-row merge's summary"
		rm -f big-merged.jsonl
	done
fi
# a hard limit below the shards' count: read whole, the same rows
( ulimit -n 1024; exec "$sim" merge --out big-merged.jsonl big1500/*.jsonl ) >out 2>err
cmp -s big-merged.jsonl big.jsonl || fail "1500 shards beyond the open-files limit, merged, differ from the rows in id order"

# the environment's shard: Slurm's array variables, then Bazel's
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 "$sim" sweep "$plan" --list >env.txt
awk 'NR % 4 == 3' list.txt | cmp -s - env.txt || fail "SLURM_ARRAY_TASK_ID=2 of 4 is not jobs 2, 6, ..."
TEST_SHARD_INDEX=3 TEST_TOTAL_SHARDS=4 TEST_SHARD_STATUS_FILE=status "$sim" sweep "$plan" --list >env.txt
[ -e status ] || fail "TEST_SHARD_STATUS_FILE was not touched"
awk 'NR % 4 == 0' list.txt | cmp -s - env.txt || fail "TEST_SHARD_INDEX=3 of 4 is not jobs 3, 7, ..."
run 2 "sparse array" env SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=1 "$sim" sweep "$plan" --list
has err 'must be --array=0-\(N-1\)' "sparse array"
run 2 "shard 4/4" "$sim" sweep "$plan" --shard 4/4 --list
has err '^sim sweep: --shard: shard 4/4: K counts from 0' "shard 4/4"

# K/N never wraps: job i is in shard K iff i mod N = K, whatever N
big=18446744073709551615
run 0 "--shard 5/2^64-1" "$sim" sweep "$plan" --shard 5/$big --list
sed -n 6p list.txt | cmp -s - out || fail "--shard 5/$big is not job 5 alone: $(cat out)"
run 0 "--shard 209/2^64-1" "$sim" sweep "$plan" --shard 209/$big --list
sed -n 210p list.txt | cmp -s - out || fail "--shard 209/$big is not job 209 alone: $(cat out)"
run 0 "--shard 18446744073709551614/2^64-1" "$sim" sweep "$plan" --shard 18446744073709551614/$big --list
[ -s out ] && fail "a shard beyond the jobs is not empty: $(cat out)"
run 1 "a run of --shard 5/2^64-1" "$sim" sweep "$plan" --shard 5/$big
has out "^sweep shard 5/$big: 1 jobs of 1: " "--shard 5/$big's summary"
run 0 "a run of an empty shard" "$sim" sweep "$plan" --shard 210/$big
has out "^sweep shard 210/$big: 0 jobs of 0: " "an empty shard's summary"
run 0 "--shard 7/1000" "$sim" sweep "$plan" --shard 7/1000 --list
sed -n 8p list.txt | cmp -s - out || fail "--shard 7/1000 is not job 7 alone"

# an option given twice is refused, never "the last one wins"
for o in "--out a.jsonl" "--shard 0/2" "--skip-done all.jsonl" "--max-events 5" "--max-total-events 5"; do
	run 2 "sweep $o twice" "$sim" sweep "$plan" $o $o
	has err "^sim sweep: ${o%% *} given twice$" "sweep $o twice"
done
for o in "--seeds 1..2" "--max-events 5" "--max-total-events 5"; do
	run 2 "run $o twice" "$sim" run "$dir/base.json" --vary /hosts/1/tsc=3GHz $o $o
	has err "^sim run: ${o%% *} given twice$" "run $o twice"
done
# --out may not overwrite the sweep file or its base scenario (the same file by another name too)
cp "$plan" self.json
cp "$dir/base.json" base.json
run 2 "--out is the sweep file" "$sim" sweep self.json --out ./self.json
has err '^sim sweep: --out ./self.json is the sweep file' "--out is the sweep file"
cmp -s self.json "$plan" || fail "--out overwrote the sweep file"
run 2 "--out is the base scenario" "$sim" sweep self.json --out base.json
has err '^sim sweep: --out base.json is the sweep.s base scenario' "--out is the base scenario"
cmp -s base.json "$dir/base.json" || fail "--out overwrote the base scenario"
# sim run --vary's messages name sim run
run 2 "run --vary, an invalid variant" "$sim" run "$dir/base.json" --vary /hosts/1/tsc=-1Hz
has err '^sim run: job [0-9a-f]{16} \(index 0\):$' "run --vary names sim run"
grep -q '^sim sweep' err && fail "sim run --vary's message names sim sweep: $(cat err)"

# two jobs with the same scenario (two objects that differ only in their
# keys' order: distinct values, one canonical JSON, so one id): refused when
# the plan is made, before anything runs, in --list and in a shard that holds
# neither of them
cat >dup.json <<'JSON'
{ "scenario": "base.json", "axes": [ { "path": "/vm", "values": [
    { "host": "A", "vcpus": 2, "uptime": "2h" }, { "uptime": "2h", "vcpus": 2, "host": "A" } ] } ],
  "seeds": [1, 2] }
JSON
dupmsg='^sim sweep: dup.json: jobs [0-9] \(seed=[12] /vm=\{"host":"A","vcpus":2,"uptime":"2h"\}\) and [0-9] \(seed=[12] /vm=\{"uptime":"2h","vcpus":2,"host":"A"\}\) are the same scenario \(id [0-9a-f]{16}\): make the axes'
run 2 "duplicate ids, --list" "$sim" sweep dup.json --list
has err "$dupmsg" "duplicate ids, --list"
[ -s out ] && fail "--list of a plan with duplicate ids listed jobs"
run 2 "duplicate ids, a shard" "$sim" sweep dup.json --shard 1/4 --out dup.jsonl
has err "$dupmsg" "duplicate ids, a shard"
[ -e dup.jsonl ] && fail "a plan with duplicate ids ran"

# the work of one process: 10^6 seeds of 2 * 10^8 events are refused at once,
# naming the estimate, the jobs and the largest contributor
cat >huge-work.json <<'JSON'
{"scenario":"base.json","expect":{"/readers/0/jitter":"0ns","/readers/0/period":"1us","/duration":"100s"},"seeds":{"from":1,"to":1000000}}
JSON
# (timeout: were the budget broken, this would run for days)
run 2 "a sweep beyond the total budget" timeout 30 "$sim" sweep huge-work.json --out hw.jsonl
has err '^sim sweep: huge-work.json: the 1000000 jobs of this run would fire about 200000010000000 events, beyond the budget of 200000000000' "total budget"
has err 'the most from the variant the base scenario as it is: 1000000 jobs \(seeds\) of about 200000010 events each.*/readers/0/period' "total budget's contributor"
has err '--shard K/N .*--max-total-events N' "total budget's way out"
[ -e hw.jsonl ] && fail "a sweep beyond the total budget ran"
# 610 events a job: the shard's jobs count, not the plan's
run 2 "--max-total-events 1000, 3 jobs" "$sim" sweep "$plan" --shard 0/70 --max-total-events 1000
has err 'the 3 jobs of this shard would fire about 1830 events, beyond the budget of 1000' "--max-total-events"
run 0 "--max-total-events 1000, 1 job" "$sim" sweep "$plan" --shard 100/210 --max-total-events 1000
run 2 "run --vary beyond --max-total-events" "$sim" run "$dir/base.json" --vary /hosts/1/tsc=2999MHz,3000MHz --max-total-events 1000
has err '^sim run: .*the 2 jobs of this run would fire about 1220 events' "run --vary's total budget"
# every sweep of the tests and docs is within the default
for f in "$dir"/*.json; do
	grep -q '"axes"' "$f" || continue
	"$sim" sweep "$f" --shard 0/1000000 >/dev/null 2>err
	if grep -q 'beyond the budget' err; then
		fail "$f is beyond the default total budget"
	fi
done

# missing jobs and conflicting rows
run 1 "merge with a shard missing" "$sim" merge --plan "$plan" par1.jsonl par2.jsonl par3.jsonl
[ "$(grep -c '^sim merge: missing job' err)" -eq 52 ] || fail "missing jobs: $(grep -c '^sim merge: missing job' err) listed, expected 52"
sed '5s/"worst":/"worst":1/' all.jsonl >bad.jsonl
run 2 "conflicting rows" "$sim" merge all.jsonl bad.jsonl
has err '^sim merge: two different rows for job [0-9a-f]{16}' "conflict"
sed '1s/"scenario":"[0-9a-f]*"/"scenario":"0000000000000000"/' all.jsonl >mixed.jsonl
run 2 "mixed base scenarios" "$sim" merge mixed.jsonl
run 1 "--allow-mixed" "$sim" merge --allow-mixed mixed.jsonl
printf 'not json\n' >junk.jsonl
run 2 "a line that is not a row" "$sim" merge junk.jsonl
has err '^sim merge: junk.jsonl:1: not a sweep result row' "junk"

# resume: 100 rows done and a row cut short by a stop; the rest run
head -n 100 list.txt >/dev/null
awk 'NR % 2 == 1' all.jsonl | head -n 60 >part.jsonl
sed -n 2p all.jsonl | head -c 50 >>part.jsonl
run 1 "--skip-done" "$sim" sweep "$plan" --skip-done part.jsonl --out part.jsonl --progress
cmp -s part.jsonl all.jsonl || fail "a resumed sweep differs from one process"
has err '210/210 jobs' "--progress"
[ -e part.jsonl.tmp ] && fail "the temporary file was left behind"
# the rows done, unsorted and from stdin (read back from a copy), some
# twice; marked (an event count no run gives) to show they are reused as
# they are, not run again
awk 'NR % 3 == 0 { sub(/"events":/, "\"events\":9"); print }' all.jsonl | sort -r >part-in.jsonl
head -n 5 part-in.jsonl >>part-in.jsonl
awk 'NR % 3 == 0 { sub(/"events":/, "\"events\":9") } { print }' all.jsonl >part-want.jsonl
run 1 "--skip-done - (stdin)" sh -c "\"\$0\" sweep \"\$1\" --skip-done - --out part-stdin.jsonl <part-in.jsonl" "$sim" "$plan"
cmp -s part-stdin.jsonl part-want.jsonl || fail "a sweep resumed from stdin does not reuse its rows as they are"
# and from a named pipe, which cannot be read twice either
mkfifo done.fifo
cat part-in.jsonl >done.fifo &
writer=$!
run 1 "--skip-done a named pipe" timeout 30 "$sim" sweep "$plan" --skip-done done.fifo --out part-fifo.jsonl
kill "$writer" 2>/dev/null   # blocked for good if sim never opened the pipe
wait "$writer" 2>/dev/null
cmp -s part-fifo.jsonl part-want.jsonl || fail "a sweep resumed from a named pipe does not reuse its rows as they are"
# one job with two different rows
sed -n 5p all.jsonl | sed 's/"worst":/"worst":1/' >two.jsonl
sed -n 5p all.jsonl >>two.jsonl
run 2 "--skip-done, two rows of a job" "$sim" sweep "$plan" --skip-done two.jsonl --out two-out.jsonl
has err '^sim sweep: --skip-done two.jsonl: two different rows for job [0-9a-f]{16}$' "two rows of a job"
[ -e two-out.jsonl ] && fail "--skip-done refused its file but wrote --out"

# a resume in place that stops mid-run (its files may not pass 40 KiB): the
# --skip-done file keeps its rows and journals the new ones, FILE.tmp goes,
# and the next resume completes the one-process file
awk 'NR % 2 == 0' all.jsonl >jr.jsonl
cp jr.jsonl jr-before.jsonl
( trap '' XFSZ; ulimit -f 80; exec "$sim" sweep "$plan" --skip-done jr.jsonl --out jr.jsonl ) >out 2>err
st=$?
[ "$st" -eq 2 ] || fail "a resume in place whose files cannot grow: exit $st, expected 2"
[ -e jr.jsonl.tmp ] && fail "a stopped resume left jr.jsonl.tmp"
head -n 105 jr.jsonl | cmp -s - jr-before.jsonl || fail "a stopped resume changed the rows it had"
new=$(($(wc -l <jr.jsonl) - 105))
[ "$new" -ge 1 ] || fail "a stopped resume journaled no new row"
tail -n +106 jr.jsonl | head -n "$new" | while IFS= read -r row; do
	grep -qxF -- "$row" all.jsonl || echo "$row"
done >jr-foreign.txt
[ -s jr-foreign.txt ] && fail "a journaled row is not the one-process row: $(head -c 200 jr-foreign.txt)"
run 1 "the resume after it" "$sim" sweep "$plan" --skip-done jr.jsonl --out jr.jsonl
cmp -s jr.jsonl all.jsonl || fail "resuming a stopped resume differs from one process"

# a resumed run that stops at once (here: a value it cannot set, found when
# the plan is made) leaves its --skip-done file as it was
awk 'NR % 3 == 0' all.jsonl >kept.jsonl
sed -n 1p all.jsonl | head -c 30 >>kept.jsonl
cp kept.jsonl kept-before.jsonl
cp "$dir/base.json" base.json
printf '{ "scenario": "base.json", "axes": [ { "path": "/vm/nosuch/x", "values": [1] } ] }\n' >stop.json
run 2 "a resume that stops" "$sim" sweep stop.json --skip-done kept.jsonl --out kept.jsonl
cmp -s kept.jsonl kept-before.jsonl || fail "a resume that stopped changed its --skip-done file"

# --skip-done takes only this plan's rows: another base scenario, another sim
# or an id that is not a job of the plan refuses the file (file:line, what differs)
sed '3s/"scenario":"[0-9a-f]*"/"scenario":"0000000000000000"/' all.jsonl >other-base.jsonl
run 2 "--skip-done, another base scenario" "$sim" sweep "$plan" --skip-done other-base.jsonl --out ob.jsonl
has err '^sim sweep: --skip-done other-base.jsonl:3: job [0-9a-f]{16} ran base scenario 0000000000000000, this sweep.s is [0-9a-f]{16}' "another base scenario"
[ -e ob.jsonl ] && fail "--skip-done refused its file but wrote --out"
sed '4s/"sim":"[^"]*"/"sim":"0.0.9"/' all.jsonl >other-sim.jsonl
run 2 "--skip-done, another sim" "$sim" sweep "$plan" --skip-done other-sim.jsonl --out other-sim.jsonl
has err '^sim sweep: --skip-done other-sim.jsonl:4: job [0-9a-f]{16} ran with sim 0.0.9, this is sim ' "another sim"
[ "$(grep -c '"sim":"0.0.9"' other-sim.jsonl)" -eq 1 ] || fail "a refused --skip-done file was changed"
"$sim" run "$dir/base.json" --vary /hosts/1/tsc=3GHz >/dev/null
printf '{ "scenario": "base.json", "axes": [ { "path": "/hosts/1/tsc", "values": ["3GHz"] } ] }\n' >one.json
"$sim" sweep one.json --out one.jsonl >/dev/null
head -n 5 all.jsonl >foreign.jsonl
cat one.jsonl >>foreign.jsonl
run 2 "--skip-done, a row of another sweep" "$sim" sweep "$plan" --skip-done foreign.jsonl --out foreign.jsonl
has err '^sim sweep: --skip-done foreign.jsonl:6: job [0-9a-f]{16} is not a job of this sweep' "a row of another sweep"

# a row of another sweep whose variant is the same scenario (so the same id)
# but whose "vary" differs: both sweeps set a value to the base's own
printf '{ "scenario": "base.json", "axes": [ { "path": "/hosts/1/tsc", "values": ["2999.4MHz"] } ] }\n' >sa.json
printf '{ "scenario": "base.json", "axes": [ { "path": "/readers/0/jitter", "values": ["2ms", "1ms"] } ] }\n' >sb.json
"$sim" sweep sa.json --out sa.jsonl >/dev/null
run 2 "--skip-done, the same id with another vary" "$sim" sweep sb.json --skip-done sa.jsonl --out sb.jsonl
has err '^sim sweep: --skip-done sa.jsonl:1: job [0-9a-f]{16} \(index 0\) would start its row with .*"vary":\{"/readers/0/jitter":"2ms"\}: this row has another seed or "vary"' "the same id, another vary"
[ -e sb.jsonl ] && fail "--skip-done refused its file but wrote --out"

# "error" rows are not done: their jobs run again (here: a --max-events that was too low)
"$sim" sweep "$plan" --shard 0/70 --out fresh.jsonl >/dev/null
"$sim" sweep "$plan" --shard 0/70 --max-events 100 --out again.jsonl >/dev/null
head -n 1 fresh.jsonl >>again.jsonl
run 1 "--skip-done reruns error rows" "$sim" sweep "$plan" --shard 0/70 --skip-done again.jsonl --out again.jsonl
cmp -s again.jsonl fresh.jsonl || fail "--skip-done kept an error row instead of running its job"

# progress only on a terminal or when asked (stderr is a file here)
run 1 "quiet" "$sim" sweep "$plan" --shard 0/4
[ -s err ] && { fail "progress without --progress on a file:"; cat err >&2; }

# on a terminal the progress line shows by itself (script(1) gives the run a terminal)
if command -v script >/dev/null; then
	script -qec "\"$sim\" sweep \"$plan\" --shard 1/4 2>&1 >/dev/null" /dev/null >tty.txt
	has tty.txt '53/53 jobs' "progress on a terminal"
fi

# each job has the event budget: one refused by it is an error row (610 events estimated)
run 2 "--max-events" "$sim" sweep "$plan" --shard 0/70 --max-events 100 --out budget.jsonl
has out '^sweep shard 0/70: 3 jobs of 3: 0 pass, 0 fail, 3 error$' "budget summary"
[ "$(grep -c '"verdict":"error","error":"base.json:17:61: error: /readers/0/period: the run would fire about 610 events' budget.jsonl)" -eq 3 ] ||
	fail "--max-events 100: not three budget error rows"
run 0 "--max-events 1000" "$sim" sweep "$plan" --shard 100/210 --max-events 1000

# sim run --vary / --seeds: the same machinery
run 1 "run --vary" "$sim" run "$dir/base.json" --vary /hosts/1/tsc=2999MHz,3000.3MHz --seeds 1..2
has out '^sweep: 4 jobs of 4: 2 pass, 2 fail, 0 error$' "run --vary summary"
run 0 "run --vary, all pass" env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 "$sim" run "$dir/base.json" --vary '/readers/0/checks/rate/threshold=400ppm'
has out '^sweep: 1 jobs of 1: 1 pass, 0 fail, 0 error$' "run --vary summary"
run 2 "run --vary bad" "$sim" run "$dir/base.json" --vary readers=1
has err '^sim run: --vary: expected PATH=V1,V2' "run --vary bad"
run 2 "run --vary with --json" "$sim" run "$dir/base.json" --vary /seed=1 --json -

# a variant that is not a valid scenario: exit 2, an error row, the base file's line:column
cp "$dir/base.json" base.json
cat >badvar.json <<'JSON'
{ "scenario": "base.json",
  "axes": [ { "path": "/hosts/1/tsc", "values": ["3GHz", "-1Hz"] } ] }
JSON
run 2 "invalid variant" "$sim" sweep badvar.json --out badvar.jsonl
has err 'base.json:8:27: error: /hosts/1/tsc: ' "invalid variant's position"
[ "$(grep -c '"verdict":"error","error":"base.json:8:27: error: /hosts/1/tsc: ' badvar.jsonl)" -eq 1 ] ||
	fail "no error row for the invalid variant"
cat >badptr.json <<'JSON'
{ "scenario": "base.json",
  "axes": [ { "path": "/vm/nosuch/x", "values": [1] } ] }
JSON
run 2 "a pointer without a parent" "$sim" sweep badptr.json
has err 'base.json: error: /vm/nosuch/x: cannot set this value: the scenario has no value at its parent' "pointer"
printf '{ "scenario": "base.json",\n  "axes": [ { "path": "/a", "values": [] } ] }\n' >empty.json
run 2 "empty values" "$sim" sweep empty.json
has err '^empty.json:2:39: error: /axes/0/values: expected 1 to 100000 values, got 0$' "empty values"
printf '{ "scenario": "base.json", "axes": [ { "path": "/a", "from": 0, "to": 99999 },\n { "path": "/b", "from": 0, "to": 99999 } ] }\n' >huge.json
run 2 "too many jobs" "$sim" sweep huge.json --list
has err 'huge.json:1:36: error: /axes: more than 1000000 jobs' "too many jobs"
run 2 "no such sweep file" "$sim" sweep nosuch.json
has err '^nosuch.json: error: cannot read: No such file or directory$' "no file"

# docs/sweeps.md: every block marked "tests/sweep.sh runs this block" runs as
# written, from a copy of the tree's layout with sim on PATH; a results.jsonl
# it leaves must be the one-process rows
mkdir -p bin
ln -sf "$sim" bin/sim
perl -ne 'if (/<!-- tests\/sweep.sh runs this block -->/) { $want = 1; next }
	if ($want && /^```sh\s*$/) { $in = 1; $want = 0; $n++; open O, ">", "doc-$n.sh"; next }
	if ($in && /^```\s*$/) { $in = 0; close O; next }
	print O if $in; $want = 0 if /\S/ && !$in;' "$root/docs/sweeps.md"
[ "$(ls doc-*.sh 2>/dev/null | wc -l)" -ge 4 ] || fail "docs/sweeps.md: fewer than 4 tested blocks"
for b in doc-*.sh; do
	mkdir "$b.d"
	ln -s "$root/tests" "$b.d/tests"
	ln -s "$root/scenarios" "$b.d/scenarios"
	(cd "$b.d" && PATH="$tmp/bin:$PATH" sh "../$b" >out 2>err)
	if grep -qE ': error: |^sim [a-z]+: |not found' "$b.d/err"; then
		fail "docs/sweeps.md block $b:"
		cat "$b" "$b.d/err" >&2
	fi
	if [ -e "$b.d/results.jsonl" ] && ! cmp -s "$b.d/results.jsonl" all.jsonl; then
		fail "docs/sweeps.md block $b: its results.jsonl differs from one process"
		cat "$b" >&2
	fi
done
grep -q '^sweep: 6 jobs of 6: ' doc-1.sh.d/out || fail "docs/sweeps.md's first block: $(cat doc-1.sh.d/out)"
# the sweep file shown is the one the tests run
perl -0ne 'print $1 if /(\{\n  "scenario": "base.json".*?\n\}\n)```/s' "$root/docs/sweeps.md" >docfile.json
cmp -s docfile.json "$dir/sweep.json" || fail "docs/sweeps.md's sweep file is not tests/sweep/sweep.json"

# a run's progress line does not change what it computes
"$sim" run --json a.json "$dir/base.json" >/dev/null
"$sim" run --progress --json b.json "$dir/base.json" >/dev/null 2>progress.txt
cmp -s a.json b.json || fail "--progress changed the report"
has progress.txt 'simulated 3.000000000 s of 3.000000000 s' "run --progress"

if [ -n "${no_parallel:-}" ]; then
	# CI installs it (tools/bootstrap): there a missing engine is a failure, never a skip
	echo "sweep: GNU parallel is not installed (Debian: parallel); its four-shard run was not tested" >&2
	[ "${CI:-}" = true ] && fails=$((fails + 1))
	[ $fails -eq 0 ] && exit 77
fi
[ $fails -eq 0 ] && echo "sweep: all checks pass"
exit $((fails > 0))
