#!/usr/bin/env bash
# Prints the job lines behind docs/STREAMING.md's tables, one shell command per
# line (run them with run_tables.sh, in parallel). Every job is one
# `ballast perplexity --json` (or `ballast generate` for a prefill timing),
# writing OUT/<name>.json (+ .csv).
#   jobs.sh BALLAST SINK_MODEL VANILLA_MODEL TEXT OUT
# SINK_MODEL: the shipped sink-token model; VANILLA_MODEL: the vanilla variant.
set -euo pipefail
B=$1 SINKM=$2 VANM=$3 TEXT=$4 OUT=$5
TABLE_TOKENS=${TABLE_TOKENS:-50000}  # tokens per Table 1/2/3 run
REF_TOKENS=${REF_TOKENS:-3000}       # tokens per recompute-vs-streaming quality run

ppl() {  # name, then perplexity options
  local name=$1; shift
  echo "$B perplexity --json --csv $OUT/$name.csv -f $TEXT $* > $OUT/$name.json 2> $OUT/$name.err"
}

# Longest first (recompute timings), so a parallel run finishes soonest.
for w in ${RECOMPUTE_TIMING:-1024 512 256}; do
  ppl "time-recompute-m-sink-c$w" -m "$SINKM" --mode recompute --sinks 0 --window $w --max-tokens $((w + 64)) --segment $w
done
for m in sink vanilla; do
  model=$SINKM; [ $m = vanilla ] && model=$VANM
  ppl "ref-recompute-m-$m-c128" -m "$model" --mode recompute --sinks 0 --window 128 --max-tokens "$REF_TOKENS"
  ppl "ref-recompute1-m-$m-c128" -m "$model" --mode recompute --sinks 1 --window 127 --max-tokens "$REF_TOKENS"
done
# Table 2 and 3: 0/1/2/4/8 sinks at a fixed cache (sinks + window) of 128 and 256, both models.
for m in sink vanilla; do
  model=$SINKM; [ $m = vanilla ] && model=$VANM
  for cache in 128 256; do
    for s in 0 1 2 4 8; do
      if [ $s = 0 ]; then mode="--mode window --window $cache"; else mode="--mode sink --sinks $s --window $((cache - s))"; fi
      ppl "t2-m-$m-c$cache-s$s" -m "$model" $mode --max-tokens "$TABLE_TOKENS" --segment 1000
    done
  done
  # Table 1: 4 newline tokens (id 13, <0x0A>) fed first instead of the BOS, as the 4 sinks.
  ppl "t1-m-$m-c128-newline4" -m "$model" --mode sink --sinks 4 --window 124 --sink-ids 13,13,13,13 \
    --max-tokens "$TABLE_TOKENS" --segment 1000
  # The same tokens as the recompute reference, streaming.
  ppl "ref-window-m-$m-c128" -m "$model" --mode window --window 128 --max-tokens "$REF_TOKENS"
  ppl "ref-sink1-m-$m-c128" -m "$model" --mode sink --sinks 1 --window 127 --max-tokens "$REF_TOKENS"
  ppl "ref-sink4-m-$m-c128" -m "$model" --mode sink --sinks 4 --window 124 --max-tokens "$REF_TOKENS"
done
# Per-token time, sink mode, cache W = 4 sinks + (W - 4): the last segment is the full cache.
for w in 256 512 1024 2048; do
  ppl "time-sink-m-sink-c$w" -m "$SINKM" --mode sink --sinks 4 --window $((w - 4)) --max-tokens $((w + 512)) --segment $w
done
# One recompute step at cache W is a prefill of W tokens in chunks of --batch
# (64): time that directly for every W (2048 included, whose token-by-token
# recompute warm-up would take too long here). PROMPTS/prompt-W.txt holds the
# longest prefix of TEXT that tokenizes to W tokens (make_prompts.py).
PROMPTS=${PROMPTS:-$OUT}
for w in 256 512 1024 2048; do
  echo "$B generate -m $SINKM -p \"\$(cat $PROMPTS/prompt-$w.txt)\" -n 1 --no-echo --temp 0 --mode dense --sinks 0 --window $((w + 16)) > /dev/null 2> $OUT/time-prefill-c$w.err"
done
