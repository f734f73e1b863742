#!/usr/bin/env bash
# Endurance benchmark of `ballast stream` (docs/ENDURANCE.md): feeds the
# bundled transcript in a loop through a pipe (block policy: nothing dropped)
# until TOKENS transcript tokens, with a summary every 2000 tokens, and prints
# a stats line every 10000 tokens. Then reports RSS after warm-up vs at the
# end, heap bytes in use, and per-token feed latency p50/p99 at 10k vs the end.
# Usage: endurance_bench.sh BALLAST MODEL TOKENS OUT_DIR [extra stream args...]
set -uo pipefail
ballast=$1 model=$2 tokens=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")/../.." && pwd)
transcript=$here/examples/transcripts/sotu-1941-excerpt.txt
mkdir -p "$out"
echo "endurance: $tokens tokens of $transcript (looped) into $model; log in $out/stats.log"
start=$(date +%s)
(while true; do cat "$transcript" || exit 0; done) 2>/dev/null | \
  nice "$ballast" stream -m "$model" --input - --queue-policy block --window 511 --every-tokens 2000 \
    --summary-tokens 24 --stop-after-tokens "$tokens" --stats-every 10000 --format jsonl "$@" \
    > "$out/summaries.jsonl" 2> "$out/stats.log"
rc=$?
echo "exit $rc after $(( $(date +%s) - start )) s"
grep '^{"stats"' "$out/stats.log" > "$out/stats.jsonl"
python3 - "$out/stats.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
if len(rows) < 3:
    sys.exit("not enough stats lines")
warm, first, last = rows[1], rows[0], rows[-1]   # warm-up: after the first 20k tokens
rss_growth = (last["rss_kib"] - warm["rss_kib"]) / warm["rss_kib"] * 100
heap_growth = last["heap_in_use"] - warm["heap_in_use"]
print(f"stats lines: {len(rows)}; tokens {last['tokens']}; summaries {last['summaries']}")
print(f"RSS after warm-up ({warm['tokens']} tokens): {warm['rss_kib']} KiB; at {last['tokens']}: {last['rss_kib']} KiB; growth {rss_growth:+.2f}%")
print(f"RSS max over the run: {max(r['rss_kib'] for r in rows)} KiB")
print(f"heap in use after warm-up: {warm['heap_in_use']} B; at the end: {last['heap_in_use']} B; growth {heap_growth:+d} B")
for name, r in (("first 10k", first), ("last 10k", last)):
    print(f"{name:>10} tokens (to {r['tokens']}): {r['tok_per_s']:.0f} tok/s, per-token latency p50 {r['token_us_p50']:.1f} us, "
          f"p99 {r['token_us_p99']:.1f} us wall; p50 {r.get('token_cpu_us_p50', 0):.1f} us, p99 {r.get('token_cpu_us_p99', 0):.1f} us CPU")
def change(key):
    return f"{100 * (last[key] / first[key] - 1):+.1f}%" if first.get(key) else "n/a"
print(f"10k vs end, wall: p50 {change('token_us_p50')}, p99 {change('token_us_p99')}; "
      f"CPU: p50 {change('token_cpu_us_p50')}, p99 {change('token_cpu_us_p99')}")
# Medians of the first and last ten intervals (less sensitive to one noisy interval).
import statistics
if len(rows) >= 20:
    for key in ("token_us_p50", "token_us_p99", "token_cpu_us_p50", "token_cpu_us_p99"):
        if key not in rows[0]:
            continue
        a = statistics.median(r[key] for r in rows[:10])
        b = statistics.median(r[key] for r in rows[-10:])
        print(f"median of the first 10 / last 10 intervals, {key}: {a:.1f} / {b:.1f} us ({100 * (b / a - 1):+.1f}%)")
PY
