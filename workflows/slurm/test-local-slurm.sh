#!/usr/bin/env bash
# A real single-node SLURM on this machine (Debian slurm-wlm + munge), the workflow submitted through it with the
# profile in this folder, and the result compared with `getsei run` (states.npy bytes, transition counts).
# Run as root on a Debian machine (it installs slurm-wlm and munge when missing):
#   workflows/slurm/test-local-slurm.sh [WORKDIR]
# Everything SLURM writes (config, state, logs) stays under WORKDIR (default: a new temporary folder); the daemons
# it started are stopped at the end, by their pids.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d /tmp/getsei-slurm-XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root: slurmd and munged are started here" >&2; exit 1; }
for p in slurm-wlm munge snakemake; do
  dpkg -s "$p" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
mkdir -p "$work"/{state,spool,log,munge}
chmod 700 "$work/munge"

# munge: a private key, socket and pid file, so a system munged (if any) is left alone
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/munge.seed"

cat > "$work/slurm.conf" <<CONF
ClusterName=getsei-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

cleanup() {
  scancel --user "$(id -un)" 2>/dev/null || true
  sleep 2
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
}
trap cleanup EXIT

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  state=$(sinfo --noheader --nodes="$host" --format '%T' 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
sinfo
[ "$state" = idle ] || { echo "the node did not come up (state: '${state:-none}'); see $work/log/slurmd.log and slurmctld.log" >&2; exit 1; }

# a small planted case, the unsharded reference, then the workflow through SLURM
getsei="node --import file://$repo/node_modules/tsx/dist/loader.mjs $repo/src/cli/main.ts"
$getsei synth -o "$work/sys" --difficulty easy --repeats 3,3 --frames 31 --dt 10 --seed 3 >/dev/null
printf '[states]\nsilhouetteSampleSize = 500\nmapSampleSize = 100\nvampLiSample = 0\n[kinetics]\nbootstrap = 0\n[stability]\nrepeats = 0\n' > "$work/config.toml"
args="-c $work/config.toml --states 4 --lag 2 --epochs 2"
$getsei run "$work/sys/trajectory.extxyz" -o "$work/reference" $args --threads 1 >/dev/null
cd "$work"
start=$(date +%s)
snakemake -s "$repo/workflows/Snakefile" --profile "$repo/workflows/slurm" \
  --config inputs="$work/sys/trajectory.extxyz" run="$work/run" shards=3 args="$args" getsei="$getsei" \
  featurize_threads=1 train_threads=1 embed_threads=1 merge_threads=1 \
  featurize_mem_mb=1000 train_mem_mb=1000 embed_mem_mb=1000 merge_mem_mb=1000
echo "workflow through SLURM: $(( $(date +%s) - start )) s; jobs:"
ls slurm-logs
cmp "$work/run/states.npy" "$work/reference/states.npy"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a = json.load(open(f"{w}/run/kinetics.json"))["countMatrix"]
b = json.load(open(f"{w}/reference/kinetics.json"))["countMatrix"]
assert a == b, "transition counts differ"
print("states.npy and transition counts identical to getsei run")
PY
