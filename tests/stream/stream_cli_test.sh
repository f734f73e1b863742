#!/usr/bin/env bash
# `ballast stream` end to end under hostile input: every case must exit
# cleanly (no crash, no hang) with the documented result.
# Usage: stream_cli_test.sh BALLAST MKMODEL SOURCE_DIR WORK_DIR
set -uo pipefail
ballast=$1 mkmodel=$2 source_dir=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0
model=$work/model.gguf
"$mkmodel" --preset tiny --seed 5 --vocab-from "$source_dir/models/default/ballast-default.gguf" -o "$model" \
  >/dev/null 2>&1 || { echo "FAIL: mkmodel"; exit 1; }
transcript=$source_dir/examples/transcripts/sotu-1941-excerpt.txt
base=(stream -m "$model" --window 60 --summary-tokens 8 --format jsonl)

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; for f in "$@"; do head -c 2000 "$f"; echo; done; failed=$((failed + 1)); }
# Every output line is a JSON object with a summary (python3 checks the JSON when present).
json_ok() {
  if command -v python3 >/dev/null; then
    python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l); assert "summary" in o or "input" in o' "$1" 2>/dev/null
  else
    ! grep -qv '^{.*}$' "$1"
  fi
}
run() {  # run NAME INPUT_FILE EXTRA_ARGS... -> $work/NAME.out/.err, returns exit code
  local name=$1 input=$2; shift 2
  timeout 60 "$ballast" "${base[@]}" --input "$input" "$@" > "$work/$name.out" 2> "$work/$name.err"
}
expect_clean() {  # expect_clean NAME MIN_SUMMARIES STDERR_REGEX
  local name=$1 min=$2 regex=$3 rc=$4
  local n; n=$(wc -l < "$work/$name.out")
  if [ "$rc" -ne 0 ]; then bad "$name: exit $rc" "$work/$name.err"; return; fi
  if [ "$n" -lt "$min" ]; then bad "$name: $n summaries, expected >= $min" "$work/$name.out" "$work/$name.err"; return; fi
  if ! json_ok "$work/$name.out"; then bad "$name: output is not valid JSON lines" "$work/$name.out"; return; fi
  if ! grep -qE -- "$regex" "$work/$name.err"; then bad "$name: stderr does not match /$regex/" "$work/$name.err"; return; fi
  ok "$name"
}

# Plain run: summaries every 100 tokens and at the end.
run plain "$transcript" --every-tokens 100; expect_clean plain 10 "done; 62 lines, [0-9]+ transcript tokens" $?

# --stats-every: one JSON stats line on stderr per N tokens, every field present.
run stats "$transcript" --every-tokens 0 --stats-every 300
rc=$?
if [ $rc -ne 0 ]; then bad "stats: exit $rc" "$work/stats.err"
elif ! python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"stats\"")]
assert len(rows) >= 3, len(rows)
keys = ("tokens", "tok_per_s", "rss_kib", "heap_in_use", "token_us_p50", "token_us_p99", "token_cpu_us_p50", "token_cpu_us_p99")
for r in rows:
    assert all(k in r for k in keys), r
    assert r["tok_per_s"] > 0 and r["rss_kib"] > 0 and 0 < r["token_us_p50"] <= r["token_us_p99"], r
    assert 0 < r["token_cpu_us_p50"] <= r["token_cpu_us_p99"], r
assert all(b["tokens"] >= a["tokens"] + 300 for a, b in zip(rows, rows[1:])), rows' "$work/stats.err"; then
  bad "stats: bad stats lines" "$work/stats.err"
else ok stats; fi

# Invalid UTF-8, NUL bytes, control characters.
printf 'good words \xC3( bad \xFF\xFE more \xED\xA0\x80 text\nnul\0inside\0line\n\x01\x02\x1b[31mred\n' > "$work/utf8.txt"
run invalid_utf8 "$work/utf8.txt"; expect_clean invalid_utf8 1 "done; 3 lines" $?

# Binary junk (20 kB of random bytes: each invalid byte becomes U+FFFD, three byte-fallback tokens).
head -c 20000 /dev/urandom > "$work/junk.bin"
run binary_junk "$work/junk.bin" --every-tokens 2000; expect_clean binary_junk 1 "done; " $?

# A 10 MB line: split into --max-line-bytes pieces, memory bounded.
{ head -c 10485760 /dev/zero | tr '\0' 'a'; printf '\nafter the long line\n'; } > "$work/long.txt"
run long_line "$work/long.txt" --every-tokens 0 --max-line-bytes 65536 --stop-after-tokens 3000
expect_clean long_line 1 "long lines split" $?
rss=$(grep -oE 'RSS [0-9.]+ MiB' "$work/long_line.err" | grep -oE '[0-9.]+')
if awk "BEGIN{exit !($rss < 200)}"; then ok "long line: RSS $rss MiB"; else bad "long line RSS $rss MiB" "$work/long_line.err"; fi

# Empty input: nothing to summarise, clean exit.
: > "$work/empty.txt"
run empty "$work/empty.txt"; expect_clean empty 0 "done; 0 lines, 0 transcript tokens, 0 summaries" $?
[ ! -s "$work/empty.out" ] && ok "empty input writes no summary" || bad "empty input wrote output" "$work/empty.out"

# EOF in the middle of a line: the last line still counts.
printf 'first line\nthe last line has no newline' > "$work/midline.txt"
run eof_midline "$work/midline.txt"; expect_clean eof_midline 1 "done; 2 lines" $?

# A control line asks for a summary.
printf 'one two three\n#summary\nfour five six\n' > "$work/control.txt"
run control_line "$work/control.txt" --every-tokens 0; expect_clean control_line 2 "2 summaries" $?

# Input faster than the model, from a pipe: drop-oldest, counted.
seq 1 5000 | sed 's/^/line number /' > "$work/fast.txt"
cat "$work/fast.txt" | timeout 60 "$ballast" "${base[@]}" --input - --queue-lines 4 --every-tokens 500 \
  > "$work/fast_pipe.out" 2> "$work/fast_pipe.err"
rc=$?
expect_clean fast_pipe 1 "queue drop-oldest x 4 lines" $rc
dropped=$(grep -oE '[0-9]+ dropped lines' "$work/fast_pipe.err" | grep -oE '^[0-9]+')
if [ "${dropped:-0}" -gt 0 ] && grep -q "\"dropped_lines\":$dropped" "$work/fast_pipe.out"; then
  ok "fast pipe: $dropped lines dropped, counted in the output"
else bad "fast pipe: no dropped-line count" "$work/fast_pipe.err"; fi

# The same from a regular file: block policy, nothing lost, reads delayed.
run fast_file "$work/fast.txt" --queue-lines 4 --every-tokens 5000; expect_clean fast_file 1 "done; 5000 lines" $?
grep -qE "0 dropped lines \(0 bytes\), [1-9][0-9]* delayed reads" "$work/fast_file.err" \
  && ok "fast file: nothing dropped, reads delayed" || bad "fast file counters" "$work/fast_file.err"

# SIGTERM and SIGINT: clean stop, final summary and checkpoint, resumable.
for sig in TERM INT; do
  fifo=$work/live-$sig.fifo; rm -f "$fifo"; mkfifo "$fifo"
  state=$work/live-$sig.state
  "$ballast" "${base[@]}" --input "$fifo" --state "$state" --every-tokens 0 > "$work/sig$sig.out" 2> "$work/sig$sig.err" &
  pid=$!
  exec 7> "$fifo"
  head -n 20 "$transcript" >&7
  sleep 1
  kill -"$sig" "$pid"
  wait "$pid"; rc=$?
  exec 7>&-
  expect_clean "sig$sig" 1 "stopped by signal" $rc
  # Resume with a live pipe (not seekable: continues with what arrives now).
  printf 'more words\n' | timeout 60 "$ballast" "${base[@]}" --input - --state "$state" --every-tokens 0 \
    > "$work/resume$sig.out" 2> "$work/resume$sig.err"
  rc=$?
  expect_clean "resume$sig" 1 "resumed from .*: [1-9][0-9]* transcript tokens, 1 summaries" $rc
done

# SIGUSR1: a summary on demand from a live input.
fifo=$work/usr1.fifo; rm -f "$fifo"; mkfifo "$fifo"
"$ballast" "${base[@]}" --input "$fifo" --every-tokens 0 > "$work/usr1.out" 2> "$work/usr1.err" &
pid=$!
exec 7> "$fifo"
head -n 5 "$transcript" >&7
sleep 1; kill -USR1 "$pid"; sleep 1
head -n 10 "$transcript" | tail -n 5 >&7
exec 7>&-
wait "$pid"; rc=$?
expect_clean usr1 2 "done; 10 lines, [0-9]+ transcript tokens, 2 summaries" $rc

# --every-seconds: lines arrive 1.5 s apart on a live input; a summary is due
# every second there are new tokens, so there is one per arriving line (the
# last one may be the end-of-input summary) -- and exactly one (at the end)
# when the option is off.
for secs in 1 0; do
  fifo=$work/secs$secs.fifo; rm -f "$fifo"; mkfifo "$fifo"
  "$ballast" "${base[@]}" --input "$fifo" --every-tokens 0 --every-seconds "$secs" \
    > "$work/secs$secs.out" 2> "$work/secs$secs.err" &
  pid=$!
  exec 7> "$fifo"
  for i in 1 2 3; do sed -n "${i}p" "$transcript" >&7; sleep 1.5; done
  exec 7>&-
  wait "$pid"; rc=$?
  if [ "$secs" = 1 ]; then
    expect_clean secs1 3 "done; 3 lines, [0-9]+ transcript tokens, [3-9] summaries" $rc
  else
    expect_clean secs0 1 "done; 3 lines, [0-9]+ transcript tokens, 1 summaries" $rc
  fi
done

# Bad state files are refused, never loaded, never overwritten.
run make_state "$transcript" --state "$work/good.state" --every-tokens 0; expect_clean make_state 1 "done" $?
cp "$work/good.state" "$work/flip.state"
printf '\x55' | dd of="$work/flip.state" bs=1 seek=200 conv=notrunc 2>/dev/null
cp "$work/flip.state" "$work/flip.before"
run flipped "$transcript" --state "$work/flip.state"
rc=$?
if [ $rc -eq 1 ] && grep -q "refusing the state file: .*checksum mismatch" "$work/flipped.err" && cmp -s "$work/flip.state" "$work/flip.before"; then
  ok "flipped byte refused, file untouched"; else bad "flipped byte (exit $rc)" "$work/flipped.err"; fi
head -c 100 "$work/good.state" > "$work/trunc.state"
run truncated "$transcript" --state "$work/trunc.state"
[ $? -eq 1 ] && grep -q "truncated" "$work/truncated.err" && ok "truncated state refused" || bad "truncated" "$work/truncated.err"
"$mkmodel" --preset tiny --seed 6 --vocab-from "$source_dir/models/default/ballast-default.gguf" -o "$work/other.gguf" >/dev/null 2>&1
cp "$work/good.state" "$work/other.state"
timeout 60 "$ballast" stream -m "$work/other.gguf" --window 60 --summary-tokens 8 --input "$transcript" --state "$work/other.state" \
  > "$work/other.out" 2> "$work/other.err"
[ $? -eq 1 ] && grep -q "written for another model" "$work/other.err" && ok "other model's state refused" || bad "other model" "$work/other.err"
run other_settings "$transcript" --state "$work/good.state" --summary-tokens 9
[ $? -eq 1 ] && grep -q "other stream settings" "$work/other_settings.err" && ok "other settings refused" || bad "other settings" "$work/other_settings.err"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
