#!/usr/bin/env bash
# Several train+evaluate jobs side by side on one GPU (each: train.py, then
# eval_streaming.py on what it exported), for comparing training recipes.
#
# usage: models/train/gpu_jobs.sh TOKEN_DIR OUT_DIR EVAL_TOKENS JOB...
#   JOB = NAME:VARIANT:STEPS:WEIGHT_DECAY   e.g. sink4k:sink:4000:0.5
# OUT_DIR/NAME/VARIANT.weights.bin per job, OUT_DIR/results.tar with the rest.
set -uo pipefail
export PYTHONUNBUFFERED=1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$1"; out="$2"; eval_tokens="$3"; shift 3
py="${PYTHON:-python3}"
work="$(mktemp -d)"
pids=()
for job in "$@"; do
  IFS=: read -r name variant steps wd <<< "$job"
  mkdir -p "$work/$name" "$out/$name"
  ( "$py" "$here/train.py" --variant "$variant" --data "$data" --out "$work/$name" --steps "$steps" \
        --weight-decay "$wd" --compile > "$work/$name/train.log" 2>&1 &&
    cp "$work/$name/$variant.weights.bin" "$out/$name/" &&
    "$py" "$here/eval_streaming.py" --model "$work/$name/$variant" --data "$data" --out "$work/$name" \
        --tokens "$eval_tokens" > "$work/$name/eval.log" 2>&1 ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
for job in "$@"; do
  name="${job%%:*}"
  echo "== $job"; grep -v '^  step' "$work/$name/train.log" | tail -6; tail -9 "$work/$name/eval.log"
done
tar -C "$work" --exclude='*.weights.bin' -cf "$out/results.tar" .
exit $rc
