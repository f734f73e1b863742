#!/usr/bin/env bash
# End-to-end tests of the `ballast` command line: real processes, real files,
# exit codes and messages. Usage: cli_test.sh BALLAST MKMODEL VOCAB_DIR FIXTURE_DIR WORK_DIR
set -uo pipefail
ballast=$1 mkmodel=$2 vocab_dir=$3 fixtures=$4 work=$5
mkdir -p "$work"
passed=0 failed=0

check() {  # check NAME EXPECTED_EXIT REGEX -- command...
  local name=$1 want_exit=$2 regex=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want_exit" ]; then
    echo "FAIL $name: exit $rc, expected $want_exit"; echo "$out" | head -20; failed=$((failed + 1)); return
  fi
  if ! grep -qE -- "$regex" <<<"$out"; then
    echo "FAIL $name: output does not match /$regex/"; echo "$out" | head -20; failed=$((failed + 1)); return
  fi
  echo "ok   $name"; passed=$((passed + 1))
}

model=$work/tiny-q8_0.gguf
"$mkmodel" --preset tiny --type q8_0 --seed 7 -o "$model" >/dev/null 2>&1 || { echo "FAIL: mkmodel"; exit 1; }

check "help lists commands" 0 "tokenize" -- "$ballast" --help
check "unknown command is a usage error" 2 "unknown command 'frobnicate'" -- "$ballast" frobnicate
check "no command is a usage error" 2 "usage: ballast" -- "$ballast"
check "version" 0 "^ballast [0-9]+\.[0-9]+\.[0-9]+" -- "$ballast" version

check "info shows hyperparameters" 0 "vocab 320, width 64, layers 2, heads 4 \(KV heads 2" -- "$ballast" info "$model"
check "info shows the tensor table" 0 "blk.1.ffn_down.weight +Q8_0 +\[128, 64\] +8704 B" -- "$ballast" info "$model"
check "info shows the tokenizer" 0 "tokenizer: llama, .*320 tokens" -- "$ballast" info "$model"
check "info shows the kernel variant per op" 0 "matmul:.* Q8_0=[a-z0-9]+(\([a-z0-9_]+\))? " -- "$ballast" info "$model"
check "info forced scalar variant" 0 "matmul:.* Q4_0=scalar .*Q8_0=scalar " -- env BALLAST_ISA=scalar "$ballast" info "$model"
check "info shows the memory plan" 0 "kv_ring +523264" -- "$ballast" info "$model"
check "info --help" 0 "--all-tensors" -- "$ballast" info --help
check "info forced ISA the CPU lacks" 0 "kernel variant: none -- BALLAST_ISA=i8mm" -- env BALLAST_ISA=i8mm "$ballast" info "$model"
check "info bogus ISA name" 0 "unknown.*i9000|i9000.*(unknown|valid)" -- env BALLAST_ISA=i9000 "$ballast" info "$model"

# 2 layers x 100 slots x (K 32 + V 32) x 2 bytes = 25600; f32 doubles it.
check "plan sizes the ring" 0 "kv_ring +25600 " -- "$ballast" plan -m "$model" --sinks 4 --window 100
check "plan f32 KV" 0 "kv_ring +51200 " -- "$ballast" plan -m "$model" --window 100 --kv-type f32
check "plan prints a total" 0 "total +[0-9]+ .*reserved once" -- "$ballast" plan -m "$model"
check "plan rejects window 0" 2 "--window' = 0 is outside" -- "$ballast" plan -m "$model" --window 0
check "plan rejects 65 sinks" 2 "--sinks' = 65 is outside" -- "$ballast" plan -m "$model" --sinks 65
check "plan rejects a bad KV type" 2 "unknown KV type 'q3'" -- "$ballast" plan -m "$model" --kv-type q3
check "plan needs a model" 2 "--model is required" -- "$ballast" plan
check "plan on a missing file" 1 "missing.gguf" -- "$ballast" plan -m "$work/missing.gguf"

# Files llama.cpp's own quantizer produced (tests/golden/fixtures): stock
# Q4_0 keeps a Q6_K output tensor; Q4_K_M mixes Q4_K and Q6_K.
golden=$(cd "$fixtures/../../golden/fixtures" && pwd)
check "info on llama.cpp's stock Q4_0" 0 "output.weight +Q6_K" -- "$ballast" info "$golden/stock-q4_0.gguf"
check "info on llama.cpp's stock Q4_K_M" 0 "Q4_K x[0-9]+ .*Q6_K x[0-9]+" -- "$ballast" info "$golden/stock-q4_k_m.gguf"
check "plan on llama.cpp's stock Q4_K_M" 0 "total +[0-9]+" -- "$ballast" plan -m "$golden/stock-q4_k_m.gguf" --window 512

head -c 1000 "$model" >"$work/truncated.gguf"
check "info on a truncated file" 1 "corrupt_file: .* is not a usable GGUF file: .* at offset [0-9]+" -- "$ballast" info "$work/truncated.gguf"
printf 'not a model at all\n' >"$work/text.gguf"
check "info on a text file" 1 "not a usable GGUF file" -- "$ballast" info "$work/text.gguf"
: >"$work/empty.gguf"
check "info on an empty file" 1 "empty" -- "$ballast" info "$work/empty.gguf"
check "info on a directory" 1 "directory" -- "$ballast" info "$work"

# Tokenize: ids must equal llama.cpp's for fixture texts (texts.hex is one
# hex-encoded text per line; *.ids the ids llama.cpp produced).
hex_to_text() { printf "$(sed 's/../\\x&/g')"; }
for line in 1 4 12 30; do
  text=$(sed -n "${line}p" "$fixtures/texts.hex" | hex_to_text; printf x)
  text=${text%x}  # keep trailing newlines
  for variant in llama gpt2 qwen3; do
    expected=$(sed -n "${line}p" "$fixtures/$variant.ids")
    check "tokenize text $line matches llama.cpp ($variant)" 0 "^${expected}\$" -- \
      "$ballast" tokenize -m "$vocab_dir/$variant.gguf" --text "$text"
  done
done
printf 'Hello world' >"$work/hello.txt"
check "tokenize --file equals --text" 0 "^$("$ballast" tokenize -m "$vocab_dir/gpt2.gguf" --text 'Hello world')\$" -- "$ballast" tokenize -m "$vocab_dir/gpt2.gguf" --file "$work/hello.txt"
check "tokenize needs text" 2 "one of --text/--file" -- "$ballast" tokenize -m "$model"
check "tokenize on a missing text file" 1 "cannot open" -- "$ballast" tokenize -m "$model" --file "$work/nope.txt"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
