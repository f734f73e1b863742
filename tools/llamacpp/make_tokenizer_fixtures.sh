#!/usr/bin/env bash
# Regenerates the tokenizer fixtures: the ids llama.cpp produces for every
# fixture text on every vocab variant.
#   usage: tools/llamacpp/make_tokenizer_fixtures.sh VOCAB_DIR [FIXTURES_DIR]
# VOCAB_DIR holds <variant>.gguf from tools/vocab/make_vocabs.sh; FIXTURES_DIR
# defaults to tests/tokenizer/fixtures. Needs tools/llamacpp/setup.sh to have
# built build/llamacpp_ref. Writes, per variant:
#   <variant>.ids               line i = ids for line i of texts.hex
#   <variant>.invalid_utf8.ids  same for invalid_utf8.hex ("ERROR msg" = llama.cpp threw)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "make_tokenizer_fixtures.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: make_tokenizer_fixtures.sh VOCAB_DIR [FIXTURES_DIR]"
vocab_dir="$1"
fixtures_dir="${2:-$here/../../tests/tokenizer/fixtures}"
harness="$here/build/llamacpp_ref"
[ -x "$harness" ] || die "$harness missing: run tools/llamacpp/setup.sh first"

variants="gpt2 gpt2-llama-bpe gpt2-smollm gpt2-default qwen3 llama"
for set in texts invalid_utf8; do
  texts="$fixtures_dir/$set.hex"
  [ -f "$texts" ] || die "missing $texts (node $fixtures_dir/make_texts.mjs writes it)"
  n_texts="$(wc -l < "$texts")"
  for variant in $variants; do
    vocab="$vocab_dir/$variant.gguf"
    [ -f "$vocab" ] || die "missing $vocab (run tools/vocab/make_vocabs.sh $vocab_dir)"
    if [ "$set" = texts ]; then out="$fixtures_dir/$variant.ids"; else out="$fixtures_dir/$variant.$set.ids"; fi
    "$harness" tokenize --vocab "$vocab" --texts "$texts" > "$out.tmp" || die "llamacpp_ref failed on $variant / $set"
    n_lines="$(wc -l < "$out.tmp")"
    [ "$n_lines" -eq "$n_texts" ] || die "$variant / $set: $n_lines id lines for $n_texts texts"
    if [ "$set" = texts ] && grep -q '^ERROR' "$out.tmp"; then die "$variant: llama.cpp rejected a valid text"; fi
    mv "$out.tmp" "$out"
    echo "$out: $n_lines lines"
  done
done
"$harness" version | head -n 1 > "$fixtures_dir/LLAMACPP_VERSION"
echo "commit $(cat "$here/vendor/COMMIT" 2>/dev/null || echo unknown), npm node-llama-cpp $(node -p "require('$here/package.json').dependencies['node-llama-cpp']")" >> "$fixtures_dir/LLAMACPP_VERSION"
