#!/usr/bin/env bash
# Two of issue 4's targets that compare.sh's speed table does not cover:
#
#  1. Peak RSS: Ballast (weights mmapped, arena reserved once) against
#     llama.cpp with --no-mmap (weights read into allocated buffers), same
#     GGUF, same context (4 sinks + 2044 window = 2048 slots, f16 KV), same
#     work (prefill 128 tokens, decode 32). llama.cpp with mmap is shown too.
#     Peak RSS = getrusage's ru_maxrss of the process.
#  2. Full-cache decode: Ballast's decode time per token with the cache full
#     (prefill 2048 tokens, then every step evicts) against an almost empty
#     cache (prefill 1 token), minus the time to read the extra KV bytes at
#     the measured bandwidth (kv bytes of the full cache / probe GB/s). The
#     target: the remainder within 10% of the empty-cache step.
#
# usage: tools/compare-llamacpp/memory_and_full_cache.sh [--build DIR] [--work DIR]
#          [--models "tinyllama:q4_0 smollm2-135m:q8_0 ..."] [--rounds N]
# Models are made as compare.sh makes them (same files when --work is the same).
# Prints markdown tables; raw runs in WORK/memory_full_cache.jsonl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build-simd"; work=""; rounds=3
models="tinyllama:q4_0 tinyllama:q8_0 smollm2-135m:q4_0 smollm2-135m:q8_0 smollm2-135m:f16"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "memory_and_full_cache.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
work="${work:-$build/compare}"
mkdir -p "$work/models"
ballast="$build/bin/ballast"; mkmodel="$build/bin/ballast-mkmodel"
for b in "$ballast" "$mkmodel"; do [ -x "$b" ] || { echo "memory_and_full_cache.sh: $b missing" >&2; exit 1; }; done
harness="$("$here/build_harness.sh" "$work")"

model_path() { echo "$work/models/$1-$2.gguf"; }
# Peak RSS (KiB) of one command, its stdout discarded.
peak_rss_kib() {
  python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 0 else -1)' "$@"
}

out="$work/memory_full_cache.jsonl"; : > "$out"
for pair in $models; do
  preset="${pair%%:*}"; type="${pair##*:}"; file="$(model_path "$preset" "$type")"
  [ -f "$file" ] || "$mkmodel" --preset "$preset" --type "$type" --seed 1 --quiet -o "$file"
  # KV bytes one decode step reads with the cache full: every sink and ring slot's K and V.
  kv_bytes="$("$ballast" info "$file" --window 2044 --sinks 4 2>/dev/null |
    awk '$1 == "kv_sinks" || $1 == "kv_ring" { s += $2 } END { print s + 0 }')"
  for round in $(seq 1 "$rounds"); do
    b_rss="$(peak_rss_kib "$ballast" bench -m "$file" -t 1 --single -p 128 -n 32 -r 1 --no-probe --sinks 4 --window 2044)"
    l_rss="$(peak_rss_kib "$harness" --model "$file" --threads 1 --prompt 128 --decode 32 --repeat 1 --ctx 2048 --no-mmap)"
    l_rss_mmap="$(peak_rss_kib "$harness" --model "$file" --threads 1 --prompt 128 --decode 32 --repeat 1 --ctx 2048)"
    empty="$("$ballast" bench -m "$file" -t 1 --single -p 1 -n 32 -r 1 --sinks 4 --window 2044 --json)"
    full="$("$ballast" bench -m "$file" -t 1 --single -p 2048 -n 32 -r 1 --no-probe --sinks 4 --window 2044 --json)"
    printf '{"model": "%s", "round": %s, "kv_bytes_full": %s, "ballast_rss_kib": %s, "llamacpp_no_mmap_rss_kib": %s, "llamacpp_mmap_rss_kib": %s, "empty": %s, "full": %s}\n' \
      "$pair" "$round" "$kv_bytes" "$b_rss" "$l_rss" "$l_rss_mmap" "$empty" "$full" >> "$out"
    echo "$pair round $round done" >&2
  done
done

python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault(r["model"], []).append(r)
med = statistics.median
print("Peak RSS, context 2048 (f16 KV), prefill 128 + decode 32, 1 thread (MiB, median of rounds):")
print()
print("| model | Ballast (mmap) | llama.cpp --no-mmap | ratio | llama.cpp (mmap) |")
print("|---|---|---|---|---|")
for model, rs in groups.items():
    b = med(r["ballast_rss_kib"] for r in rs) / 1024
    l = med(r["llamacpp_no_mmap_rss_kib"] for r in rs) / 1024
    m = med(r["llamacpp_mmap_rss_kib"] for r in rs) / 1024
    print(f"| {model} | {b:.1f} | {l:.1f} | {b/l:.2f}x | {m:.1f} |")
print()
print("Decode with the cache full (4 + 2044 slots, every step evicts) vs almost empty, 1 thread:")
print()
print("| model | empty ms/token | full ms/token | KV MiB read per step | at probe GB/s | KV time ms | full - KV time vs empty |")
print("|---|---|---|---|---|---|---|")
for model, rs in groups.items():
    e = med(r["empty"]["results"][0]["decode_ms_per_token"] for r in rs)
    f = med(r["full"]["results"][0]["decode_ms_per_token"] for r in rs)
    bw = med(r["empty"]["results"][0]["probe_bandwidth_gb_s"] for r in rs)
    kv = rs[0]["kv_bytes_full"]
    kv_ms = kv / (bw * 1e9) * 1e3 if bw > 0 else float("nan")
    print(f"| {model} | {e:.3f} | {f:.3f} | {kv/2**20:.1f} | {bw:.2f} | {kv_ms:.3f} | {100*((f-kv_ms)/e-1):+.1f}% |")
PY
