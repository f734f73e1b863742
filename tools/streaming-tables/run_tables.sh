#!/usr/bin/env bash
# Runs every job of jobs.sh in parallel (JOBS at a time, default: all cores)
# and then summarize.py to print the Markdown tables.
#   run_tables.sh BALLAST SINK_MODEL VANILLA_MODEL TEXT OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
OUT=$5
mkdir -p "$OUT"
bash "$here/jobs.sh" "$@" > "$OUT/jobs.txt"
xargs -P "${JOBS:-$(nproc)}" -I{} -d '\n' timeout "${JOB_TIMEOUT:-3600}" bash -c '{}' < "$OUT/jobs.txt" || true
