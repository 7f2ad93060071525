#!/bin/sh
# A sweep through a real Slurm (docs/sweeps.md): this test starts munged,
# slurmctld and slurmd itself for one node (this machine, a generated
# slurm.conf in a temporary directory, ports of its own), runs
# tools/slurm-sweep.sbatch as `sbatch --wait --array=0-3`, merges the four
# shards and compares them byte for byte with one process.  It stops every
# daemon it started, by the process ids it started.  When Slurm cannot run
# here it says exactly why: a skip (77) on a developer's machine, a failure
# in CI (CI=true), where tools/bootstrap installs it.
set -u
sim=$(realpath "$1")
dir=$(realpath "$2")
sbatch_script=$(realpath "$3")
tmp=$(mktemp -d /tmp/sim-slurm-XXXXXX)
pids=""

stop() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		# up to 10 s each for a clean stop, then for good
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap stop EXIT

cannot() {
	echo "sweep_slurm: Slurm cannot run here: $*" >&2
	if [ "${CI:-}" = true ]; then
		echo "sweep_slurm: FAIL (CI installs slurm-wlm and munge: tools/bootstrap)" >&2
		exit 1
	fi
	exit 77
}

for p in munged munge slurmctld slurmd sbatch sinfo; do
	command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
		cannot "$p is not installed (Debian: slurm-wlm, munge)"
done
[ "$(id -u)" -eq 0 ] || cannot "slurmd must run as root to start jobs as their user (this is uid $(id -u))"
PATH="$PATH:/usr/sbin"

# munge: a fresh key, a socket of our own
mkdir -m 700 "$tmp/munge" "$tmp/state" "$tmp/spool"
dd if=/dev/urandom of="$tmp/munge/key" bs=1024 count=1 2>/dev/null
chmod 400 "$tmp/munge/key"
munged -F --force --key-file="$tmp/munge/key" --socket="$tmp/munge/sock" \
	--pid-file="$tmp/munge/pid" --log-file="$tmp/munge/log" --seed-file="$tmp/munge/seed" \
	>"$tmp/munge/out" 2>&1 &
pids="$pids $!"
i=0
until munge -S "$tmp/munge/sock" -n >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 50 ] && cannot "munged did not start: $(tail -3 "$tmp/munge/out" "$tmp/munge/log" 2>&1)"
	sleep 0.1
done

# Slurm: one node, this machine, on ports from this process's id (tests may run side by side)
host=$(hostname -s)
port=$((20000 + ($$ % 5000) * 2))
cat >"$tmp/slurm.conf" <<CONF
ClusterName=simtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=sweep Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
: >"$tmp/plugstack.conf"
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp/slurmd.out" 2>&1 &
pids="$pids $!"
i=0
until sinfo -h -o '%T' 2>/dev/null | grep -qx 'idle'; do
	i=$((i + 1))
	[ $i -gt 600 ] && cannot "the node did not come up within 60 s: sinfo says '$(sinfo -h -o '%T' 2>&1)'; slurmctld: $(tail -3 "$tmp/slurmctld.log" "$tmp/slurmctld.out" 2>&1); slurmd: $(tail -3 "$tmp/slurmd.log" "$tmp/slurmd.out" 2>&1)"
	sleep 0.1
done
echo "sweep_slurm: Slurm $(sinfo -V | cut -d' ' -f2) is up: slurmctld and slurmd on $host, ports $port and $((port + 1))"

cd "$tmp" || exit 1
fails=0
SIM="$sim" sbatch --wait --array=0-3 --output="$tmp/task-%a.log" "$sbatch_script" \
	"$dir/sweep.json" "$tmp/out" >"$tmp/sbatch.out" 2>&1
st=$?
if [ $st -ne 0 ]; then
	echo "FAIL: sbatch --wait --array=0-3: exit $st" >&2
	cat "$tmp/sbatch.out" "$tmp"/task-*.log >&2
	fails=$((fails + 1))
fi
ls "$tmp/out"/shard-*-of-4.jsonl >/dev/null 2>&1 || {
	echo "FAIL: no shard files" >&2
	tail -5 "$tmp/slurmctld.log" "$tmp/slurmd.log" >&2
	exit 1
}
"$sim" sweep "$dir/sweep.json" --out "$tmp/one.jsonl" >/dev/null
"$sim" merge --plan "$dir/sweep.json" --out "$tmp/merged.jsonl" "$tmp/out"/shard-*-of-4.jsonl >"$tmp/merge.out" 2>&1
if ! cmp -s "$tmp/merged.jsonl" "$tmp/one.jsonl"; then
	echo "FAIL: the Slurm array's four shards, merged, differ from one process" >&2
	cat "$tmp/merge.out" >&2
	fails=$((fails + 1))
fi
grep -q '^sweep: 210 jobs of 210: 150 pass, 60 fail, 0 error$' "$tmp/merge.out" || {
	echo "FAIL: merge summary:" >&2
	cat "$tmp/merge.out" >&2
	fails=$((fails + 1))
}
for k in 0 1 2 3; do
	grep -q "^sweep shard $k/4: " "$tmp/task-$k.log" || {
		echo "FAIL: task $k did not run shard $k/4:" >&2
		cat "$tmp/task-$k.log" >&2
		fails=$((fails + 1))
	}
done
[ $fails -eq 0 ] && echo "sweep_slurm: 4 array tasks, 210 jobs, merged byte for byte"
exit $((fails > 0))
