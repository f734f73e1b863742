#!/usr/bin/env bash
# Crash safety of `ballast stream --state`: SIGKILL at random moments until
# N kills have landed before the run finished.
# After every kill the state file (if any) must load, and the resumed run's
# summaries must be exactly the uninterrupted run's from that checkpoint on
# (same lines, same order, through the final summary).
# Usage: stream_kill_test.sh BALLAST MKMODEL SOURCE_DIR WORK_DIR KILLS
set -uo pipefail
ballast=$1 mkmodel=$2 source_dir=$3 work=$4 kills=${5:-50}
rm -rf "$work" && mkdir -p "$work"
model=$work/model.gguf
"$mkmodel" --preset tiny --seed 5 --vocab-from "$source_dir/models/default/ballast-default.gguf" -o "$model" \
  >/dev/null 2>&1 || { echo "FAIL: mkmodel"; exit 1; }
input=$work/transcript.txt
cp "$source_dir/examples/transcripts/sotu-1941-excerpt.txt" "$input"
args=(stream -m "$model" --input "$input" --format jsonl --window 60 --every-tokens 100 --checkpoint-every 40
      --summary-tokens 10 --memory-tokens 8 --temp 0.7)
strip() { sed -E 's/"elapsed_s":[0-9.]+,//' "$1"; }

start=$(date +%s%N)
"$ballast" "${args[@]}" --state "$work/ref.state" > "$work/ref.raw" 2> "$work/ref.err" || { echo "FAIL: reference run"; cat "$work/ref.err"; exit 1; }
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
reference_ms=$duration_ms
strip "$work/ref.raw" > "$work/ref.jsonl"
ref_lines=$(wc -l < "$work/ref.jsonl")
[ "$ref_lines" -ge 10 ] || { echo "FAIL: reference run wrote only $ref_lines summaries"; exit 1; }
echo "reference run: $ref_lines summaries in ${duration_ms} ms"

failed=0 resumed_mid=0 fresh=0 finished=0
RANDOM=7
attempts=0 mid_run=0
while [ "$mid_run" -lt "$kills" ] && [ "$attempts" -lt $((3 * kills)) ]; do
  attempts=$((attempts + 1)); i=$attempts
  state=$work/run.state
  rm -f "$state" "$state.tmp"
  "$ballast" "${args[@]}" --state "$state" > "$work/part1.raw" 2>/dev/null &
  pid=$!
  delay_ms=$(( RANDOM % (duration_ms * 9 / 10 + 1) ))
  sleep "$(printf '0.%03d' "$delay_ms")" 2>/dev/null || sleep "$((delay_ms / 1000))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e "$state" ]; then
    resumed_mid=$((resumed_mid + 1))
  else
    fresh=$((fresh + 1))
    # Killed before the first checkpoint: the runs are slower than the
    # reference was (a busier machine); aim later, up to 4x the reference.
    [ "$duration_ms" -lt $((4 * reference_ms)) ] && duration_ms=$(( duration_ms * 5 / 4 + 1 ))
  fi
  if ! "$ballast" "${args[@]}" --state "$state" > "$work/part2.raw" 2> "$work/part2.err"; then
    echo "FAIL kill $i (after ${delay_ms} ms): the resumed run failed"; cat "$work/part2.err"; failed=$((failed + 1)); continue
  fi
  strip "$work/part2.raw" > "$work/part2.jsonl"
  n=$(wc -l < "$work/part2.jsonl")
  if ! diff -q <(tail -n "$n" "$work/ref.jsonl") "$work/part2.jsonl" >/dev/null; then
    echo "FAIL kill $i (after ${delay_ms} ms): resumed output differs from the uninterrupted run"
    diff <(tail -n "$n" "$work/ref.jsonl") "$work/part2.jsonl" | head -6
    failed=$((failed + 1)); continue
  fi
  # What the killed run printed before dying is a prefix of the reference too.
  strip "$work/part1.raw" | grep -v '^$' | grep '}$' > "$work/part1.jsonl"
  m=$(wc -l < "$work/part1.jsonl")
  if ! diff -q <(head -n "$m" "$work/ref.jsonl") "$work/part1.jsonl" >/dev/null; then
    echo "FAIL kill $i: the killed run's output is not a prefix of the reference"; failed=$((failed + 1)); continue
  fi
  # Nothing left to do after resuming only if the killed run had finished (its output is complete).
  if [ "$n" -eq 0 ]; then
    if [ "$m" -ne "$ref_lines" ]; then
      echo "FAIL kill $i: the resumed run wrote nothing but the killed run had only $m of $ref_lines summaries"
      failed=$((failed + 1)); continue
    fi
    finished=$((finished + 1))
    # The run outpaced the reference's timing (it ran while the machine was
    # busier): aim the next kills earlier, so the test keeps landing mid-run
    # kills whatever the load does between runs.
    duration_ms=$(( duration_ms * 4 / 5 + 1 ))
  else
    mid_run=$((mid_run + 1))
  fi
done
echo "$attempts kills: $mid_run before the run finished ($((resumed_mid - finished)) resumed from a checkpoint, $fresh before the first one), $finished after it had finished; $failed failures"
[ "$failed" -eq 0 ] && [ "$mid_run" -ge "$kills" ] && [ "$resumed_mid" -ge $((kills / 4)) ] || { echo "FAIL"; exit 1; }
echo PASS
