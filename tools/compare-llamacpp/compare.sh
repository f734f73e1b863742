#!/usr/bin/env bash
# Times Ballast and llama.cpp on the same GGUF files, same threads, interleaved
# rounds; prints medians and ratios (markdown) and keeps every raw run.
#
# usage: tools/compare-llamacpp/compare.sh [options]
#   --build DIR      Ballast build with bin/ballast and bin/ballast-mkmodel (default build-simd)
#   --work DIR       models, harness and results (default <build>/compare)
#   --threads "1 2"  thread counts                          --rounds N   interleaved rounds (default 3)
#   --prompt N       prefill tokens (default 128)           --decode N   decoded tokens (default 32)
#   --models "tinyllama:q4_0 tinyllama:q8_0 ..."  preset:type pairs; type q4_k_m is made from the
#                    f16 file by llama.cpp's own quantizer (default: both presets x q4_0 q8_0 q4_k_m f16)
#
# Needs: tools/llamacpp/setup.sh's prerequisites (npm, node, g++), python3.
# Models are random weights at real shapes (ballast-mkmodel presets
# tinyllama = TinyLlama-1.1B, smollm2-135m = SmolLM2-135M).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build-simd"; work=""; threads="1 2"; rounds=3; prompt=128; decode=32
models="tinyllama:q4_0 tinyllama:q8_0 tinyllama:q4_k_m tinyllama:f16 smollm2-135m:q4_0 smollm2-135m:q8_0 smollm2-135m:q4_k_m smollm2-135m:f16"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --prompt) prompt="$2"; shift 2 ;;
    --decode) decode="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
work="${work:-$build/compare}"
mkdir -p "$work/models"
ballast="$build/bin/ballast"; mkmodel="$build/bin/ballast-mkmodel"
for b in "$ballast" "$mkmodel"; do [ -x "$b" ] || { echo "compare.sh: $b missing (build targets ballast_cli ballast_mkmodel_cli)" >&2; exit 1; }; done

# 1-2. llama.cpp (the prebuilt library from npm) and our timing harness over it;
# llamacpp_ref (for Q4_K_M quantization) comes with it.
llamacpp="$root/tools/llamacpp"
harness="$("$here/build_harness.sh" "$work")"

# 3. Models.
model_path() { echo "$work/models/$1-$2.gguf"; }
for pair in $models; do
  preset="${pair%%:*}"; type="${pair##*:}"; out="$(model_path "$preset" "$type")"
  [ -f "$out" ] && continue
  if [ "$type" = q4_k_m ]; then
    f16="$(model_path "$preset" f16)"
    [ -f "$f16" ] || "$mkmodel" --preset "$preset" --type f16 --seed 1 --quiet -o "$f16"
    "$llamacpp/build/llamacpp_ref" quantize "$f16" "$out" Q4_K_M --threads "$(nproc)" >/dev/null
  else
    "$mkmodel" --preset "$preset" --type "$type" --seed 1 --quiet -o "$out"
  fi
done

# 4. Interleaved rounds: for each model and thread count, Ballast then llama.cpp, repeated.
results="$work/results.jsonl"; : > "$results"
for pair in $models; do
  preset="${pair%%:*}"; type="${pair##*:}"; file="$(model_path "$preset" "$type")"
  for t in $threads; do
    for round in $(seq 1 "$rounds"); do
      b="$("$ballast" bench -m "$file" -t "$t" --single -p "$prompt" -n "$decode" -r 1 --no-probe --json)"
      l="$("$harness" --model "$file" --threads "$t" --prompt "$prompt" --decode "$decode" --repeat 1)"
      printf '{"model": "%s:%s", "threads": %s, "round": %s, "ballast": %s, "llamacpp": %s}\n' \
        "$preset" "$type" "$t" "$round" "$b" "$l" >> "$results"
      echo "$preset:$type t=$t round $round done" >&2
    done
  done
done
probe="$("$ballast" bench -m "$(model_path "${models%%:*}" "$(echo "$models" | cut -d' ' -f1 | cut -d: -f2)")" \
  -t "$(echo "$threads" | tr ' ' '\n' | sort -n | tail -1)" -p 0 -n 1 -r 1 --json)"
echo "$probe" > "$work/probe.json"

# 5. Medians and ratios.
python3 - "$results" "$work/probe.json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
probe = json.load(open(sys.argv[2]))
groups = {}
for r in rows:
    groups.setdefault((r["model"], r["threads"]), []).append(r)
print("| model | threads | Ballast prefill tok/s | llama.cpp prefill tok/s | ratio | Ballast decode tok/s | llama.cpp decode tok/s | ratio | Ballast weight GB/s | rounds |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (model, t), rs in groups.items():
    bp = statistics.median(r["ballast"]["results"][0]["prefill_tokens_per_s"] for r in rs)
    lp = statistics.median(r["llamacpp"]["prefill_tokens_per_s"] for r in rs)
    bd = statistics.median(r["ballast"]["results"][0]["decode_tokens_per_s"] for r in rs)
    ld = statistics.median(r["llamacpp"]["decode_tokens_per_s"] for r in rs)
    bw = statistics.median(r["ballast"]["results"][0]["weight_bandwidth_gb_s"] for r in rs)
    print(f"| {model} | {t} | {bp:.2f} | {lp:.2f} | {bp/lp:.2f}x | {bd:.2f} | {ld:.2f} | {bd/ld:.2f}x | {bw:.2f} | {len(rs)} |")
print()
print("memory read bandwidth probe (ballast bench): " +
      ", ".join(f'{r["threads"]} thread(s) {r["probe_bandwidth_gb_s"]:.2f} GB/s' for r in probe["results"]))
PY
