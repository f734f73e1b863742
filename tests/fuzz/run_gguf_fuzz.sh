#!/bin/sh
# run_gguf_fuzz.sh BUILD_DIR SECONDS
# Writes the hostile GGUF corpus as seeds, then fuzzes the GGUF reader for
# SECONDS. Exits non-zero if the fuzzer finds a crash, sanitizer error or
# broken invariant (its reproducer is left in BUILD_DIR/gguf_fuzz/).
# BUILD_DIR must be configured with: CC=clang CXX=clang++ cmake -DBALLAST_FUZZ=ON
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
fuzzer=$build_dir/bin/gguf_reader_fuzz
writer=$build_dir/bin/ballast_write_gguf_corpus
for tool in "$fuzzer" "$writer"; do
  if [ ! -x "$tool" ]; then
    echo "missing $tool: build targets gguf_reader_fuzz and ballast_write_gguf_corpus first" >&2
    exit 2
  fi
done

work=$build_dir/gguf_fuzz
rm -rf "$work/seeds" "$work/artifacts"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
"$writer" "$work/seeds"

# New inputs go to corpus/; seeds are read only. -max_len covers the biggest seed.
status=0
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$work/seeds" || status=$?
for artifact in "$work/artifacts"/*; do
  if [ -e "$artifact" ]; then
    echo "fuzzer left a reproducer: $artifact" >&2
    exit 1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "fuzzer exited with status $status" >&2
fi
exit "$status"
