#!/usr/bin/env bash
# The whole GPU part in one command: trains both variants (two processes side
# by side on one GPU), then runs the streaming evaluation of each, and leaves
# the weights + a tar of every log/CSV/JSON in OUT_DIR.
#
# usage: models/train/gpu_run.sh TOKEN_DIR OUT_DIR [STEPS] [EVAL_TOKENS] [extra train.py args...]
#   TOKEN_DIR  train.u16, heldout_*.u16 (prepare_data.sh: build-train/tok)
#   defaults   STEPS=8000 EVAL_TOKENS=20000
set -uo pipefail
export PYTHONUNBUFFERED=1 CUBLAS_WORKSPACE_CONFIG=:4096:8
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$1"; out="$2"; steps="${3:-8000}"; eval_tokens="${4:-20000}"; shift 4 2>/dev/null || shift $#
work="$(mktemp -d)"
mkdir -p "$out"
py="${PYTHON:-python3}"
nvidia-smi -L 2>/dev/null || true
"$py" -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name() if torch.cuda.is_available() else "no cuda")'

pids=()
for v in vanilla sink; do
  "$py" "$here/train.py" --variant "$v" --data "$data" --out "$work" --steps "$steps" "$@" > "$work/$v.train.log" 2>&1 &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
for v in vanilla sink; do echo "== $v train"; grep -v '^  step' "$work/$v.train.log" | tail -25; done
cp "$work"/*.weights.bin "$out"/ 2>/dev/null
tar -C "$work" --exclude='*.weights.bin' -cf "$out/results.tar" .
if [[ $rc != 0 ]]; then exit 1; fi

pids=()
for v in vanilla sink; do
  "$py" "$here/eval_streaming.py" --model "$work/$v" --data "$data" --out "$work" --tokens "$eval_tokens" > "$work/$v.eval.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || rc=1; done
for v in vanilla sink; do echo "== $v streaming"; tail -12 "$work/$v.eval.log"; done
tar -C "$work" --exclude='*.weights.bin' -cf "$out/results.tar" .
exit $rc
