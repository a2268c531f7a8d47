#!/usr/bin/env bash
# Snakemake cluster-status script: job id → running | success | failed, from squeue (running / pending) and, once
# the job has left the queue, from scontrol (kept for MinJobAge, 300 s by default). Needs no SLURM accounting.
set -u
id="$1"
state=$(squeue --noheader --jobs "$id" --format '%T' 2>/dev/null | head -n 1)
if [ -z "$state" ]; then
  state=$(scontrol show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1)
fi
case "$state" in
  PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|RESIZING|"") echo running ;;
  COMPLETED) echo success ;;
  *) echo failed ;;
esac
