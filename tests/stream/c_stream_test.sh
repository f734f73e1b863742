#!/usr/bin/env bash
# examples/c_stream end to end: summaries through the C API, a checkpoint,
# a resumed run that skips the consumed input, a refused corrupted state.
# Usage: c_stream_test.sh C_STREAM MKMODEL SOURCE_DIR WORK_DIR
set -uo pipefail
c_stream=$1 mkmodel=$2 source_dir=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
"$mkmodel" --preset tiny --seed 5 --vocab-from "$source_dir/models/default/ballast-default.gguf" -o "$work/model.gguf" \
  >/dev/null 2>&1 || { echo "FAIL: mkmodel"; exit 1; }
transcript=$source_dir/examples/transcripts/sotu-1941-excerpt.txt
fail() { echo "FAIL $1"; exit 1; }
"$c_stream" "$work/model.gguf" "$transcript" 300 "$work/s.state" > "$work/1.out" 2> "$work/1.err" || fail "first run: $(cat "$work/1.err")"
[ "$(grep -c '^\[summary ' "$work/1.out")" -ge 4 ] || fail "first run: too few summaries"
grep -q "62 lines, [0-9]* tokens, [0-9]* summaries" "$work/1.err" || fail "first run stats"
"$c_stream" "$work/model.gguf" "$transcript" 300 "$work/s.state" > "$work/2.out" 2> "$work/2.err" || fail "resume: $(cat "$work/2.err")"
grep -q "resumed: [1-9][0-9]* tokens" "$work/2.err" || fail "resume message"
[ ! -s "$work/2.out" ] || fail "resume re-fed consumed input: $(cat "$work/2.out")"
printf 'x' | dd of="$work/s.state" bs=1 seek=100 conv=notrunc 2>/dev/null
"$c_stream" "$work/model.gguf" "$transcript" 300 "$work/s.state" > /dev/null 2> "$work/3.err" && fail "corrupted state accepted"
grep -q "state file refused: .*checksum mismatch" "$work/3.err" || fail "corrupted state message: $(cat "$work/3.err")"
echo PASS
