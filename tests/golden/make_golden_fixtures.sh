#!/usr/bin/env bash
# Makes the golden fixtures: llama.cpp's logits and greedy continuations on
# random-weight models of every architecture and weight type Ballast runs.
#   usage: tests/golden/make_golden_fixtures.sh BALLAST_MKMODEL [WORK_DIR]
# BALLAST_MKMODEL: the ballast-mkmodel binary (e.g. build/tools/mkmodel/ballast-mkmodel).
# WORK_DIR (default /tmp/ballast-golden-work): the generated models (not committed).
# Needs tools/llamacpp/setup.sh to have built tools/llamacpp/build/llamacpp_ref.
#
# Writes into tests/golden/fixtures/:
#   manifest.txt             one block per model (see README.md)
#   <name>.logits.f32        llama.cpp's logits, raw little-endian float32 [64][n_vocab]
#   stock-q4_0.gguf, stock-q4_k_m.gguf   llama.cpp's own quantizations of llama-f16
#                            (committed: the test cannot assume llama.cpp's quantizer)
# llama.cpp runs with its generic x64 CPU backend (the default of llamacpp_ref),
# one thread, f32 K/V cache, flash attention off.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
die() { echo "make_golden_fixtures.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: make_golden_fixtures.sh BALLAST_MKMODEL [WORK_DIR]"
mkmodel="$(realpath "$1")"
work="${2:-/tmp/ballast-golden-work}"
harness="$root/tools/llamacpp/build/llamacpp_ref"
fixtures="$here/fixtures"
[ -x "$mkmodel" ] || die "$mkmodel is not an executable"
[ -x "$harness" ] || die "$harness missing: run tools/llamacpp/setup.sh first"
command -v sha256sum >/dev/null || die "sha256sum missing (coreutils)"
mkdir -p "$work" "$fixtures"

# The shape every model shares: rows of 256 and 512 values fit every block
# size (32 and the K-quants' 256); 4 query heads over 2 KV heads (GQA).
shape="--dim 256 --layers 2 --heads 4 --kv-heads 2 --ffn 512 --vocab 512 --ctx 256"
n_prompt=64     # tokens whose logits are compared
n_greedy=32     # tokens of greedy continuation
n_vocab=512

# Models: name, then mkmodel options (seed differs per model).
models=(
  "llama-f32|--arch llama --type f32 --seed 101"
  "llama-f16|--arch llama --type f16 --seed 102"
  "llama-bf16|--arch llama --type bf16 --seed 103"
  "llama-q8_0|--arch llama --type q8_0 --seed 104"
  "llama-q4_0|--arch llama --type q4_0 --seed 105"
  "llama-q4_1|--arch llama --type q4_1 --seed 106"
  "llama-q5_0|--arch llama --type q5_0 --seed 107"
  "llama-q5_1|--arch llama --type q5_1 --seed 108"
  "llama-q4_k|--arch llama --type q4_k --seed 109"
  "llama-q5_k|--arch llama --type q5_k --seed 110"
  "llama-q6_k|--arch llama --type q6_k --seed 111"
  "llama-tied-f32|--arch llama --type f32 --tied --seed 112"
  "qwen2-f32|--arch qwen2 --type f32 --seed 201"
  "qwen2-q8_0|--arch qwen2 --type q8_0 --seed 202"
  "qwen3-f32|--arch qwen3 --type f32 --seed 301"
  "qwen3-q8_0|--arch qwen3 --type q8_0 --seed 302"
)
# Stock llama.cpp quantizations of llama-f16: name, llama.cpp type.
stock=(
  "stock-q4_0|Q4_0"
  "stock-q4_k_m|Q4_K_M"
)

# Deterministic pseudo-random prompt: BOS (1), then ids in [3, n_vocab) from a
# 32-bit LCG seeded per model (ids 0..2 are <unk>, <s>, </s>).
prompt_for() {
  local state=$1 ids="1" i
  for ((i = 1; i < n_prompt; ++i)); do
    state=$(((state * 1664525 + 1013904223) & 0xffffffff))
    ids="$ids,$((3 + (state >> 8) % (n_vocab - 3)))"
  done
  echo "$ids"
}

version="$("$harness" version | head -n 1)"
source_commit="$(cat "$root/tools/llamacpp/vendor/COMMIT" 2>/dev/null || echo unknown)"
source_tag="$(cat "$root/tools/llamacpp/vendor/TAG" 2>/dev/null || echo unknown)"
manifest="$fixtures/manifest.txt.tmp"
{
  echo "# Golden fixtures for tests/golden (made by make_golden_fixtures.sh; see README.md)."
  echo "# One block per model: model, mkmodel (OPTIONS of: ballast-mkmodel OPTIONS --quiet -o FILE) or stock (llama.cpp quantize of"
  echo "# another model: SOURCE TYPE; the .gguf is committed), sha256 of the model file, tokens"
  echo "# (the prompt), greedy (llama.cpp's argmax continuation), margins (each greedy step's"
  echo "# (top1 - top2 logit) / max |logit|: how far from a tie llama.cpp's choice was), logits"
  echo "# (fixture file), end."
  echo "llamacpp $version (source $source_tag $source_commit, CPU backend x64, 1 thread, f32 KV cache)"
  echo "n_vocab $n_vocab"
} > "$manifest"

emit_block() {  # name, kind line, model file, prompt seed
  local name=$1 kind_line=$2 file=$3 seed=$4 tokens greedy margins output sha
  tokens="$(prompt_for "$seed")"
  sha="$(sha256sum "$file" | awk '{ print $1 }')"
  "$harness" logits --model "$file" --tokens "$tokens" --out "$fixtures/$name.logits.f32"
  output="$("$harness" greedy --model "$file" --tokens "$tokens" --n "$n_greedy" --margins)"
  greedy="$(sed -n 1p <<<"$output" | tr ' ' ',')"
  margins="$(sed -n 2p <<<"$output" | tr ' ' ',')"
  [ "$(tr ',' '\n' <<<"$greedy" | wc -l)" -eq "$n_greedy" ] || die "$name: greedy gave '$greedy'"
  {
    echo "model $name"
    echo "$kind_line"
    echo "sha256 $sha"
    echo "tokens $tokens"
    echo "greedy $greedy"
    echo "margins $margins"
    echo "logits $name.logits.f32"
    echo "end"
  } >> "$manifest"
  echo "$name: sha256 $sha, greedy $greedy"
}

seed=1000
for entry in "${models[@]}"; do
  name="${entry%%|*}"
  options="$shape ${entry#*|}"
  # shellcheck disable=SC2086  # options are words on purpose
  "$mkmodel" $options --quiet -o "$work/$name.gguf"
  seed=$((seed + 7919))
  emit_block "$name" "mkmodel $options" "$work/$name.gguf" "$seed"
done
for entry in "${stock[@]}"; do
  name="${entry%%|*}"
  type="${entry#*|}"
  "$harness" quantize "$work/llama-f16.gguf" "$fixtures/$name.gguf" "$type"
  echo "$name: $("$harness" tensors "$fixtures/$name.gguf" | awk '{ print $2 }' | sort | uniq -c | tr '\n' ' ')"
  seed=$((seed + 7919))
  emit_block "$name" "stock llama-f16 $type" "$fixtures/$name.gguf" "$seed"
done
mv "$manifest" "$fixtures/manifest.txt"
echo "wrote $fixtures/manifest.txt"
