#!/usr/bin/python3
"""Encodes the cleaned text with the trained SentencePiece model and packs the
token ids as uint16 little-endian arrays; exports the vocabulary as a TSV that
tools/import (ballast-import) turns into llama-style GGUF tokenizer keys.

Runs under Debian's /usr/bin/python3 (python3-sentencepiece, the same
SentencePiece 0.1.97 library as the `spm_train`/`spm_encode` commands).
`spm_encode` itself reads one line at a time and drops the newline, so it
cannot encode a document with its line breaks the way llama.cpp does (a "\n"
inside the text becomes the byte token <0x0A>); the library call can.

usage: encode_tokens.py MODEL DATA_DIR OUT_DIR
  DATA_DIR holds train.txt, heldout_sotu.txt, heldout_book.txt (clean_corpus.py)
  OUT_DIR gets   train.u16, heldout_sotu.u16, heldout_book.u16, vocab.tsv,
                 token_stats.txt

Token stream: every document is encoded on its own (SentencePiece adds the
dummy-prefix space at its start, as llama.cpp does at the start of a text),
and documents are joined by two newline byte tokens. No BOS/EOS are written;
train.py adds the sink token itself.

vocab.tsv: one line per id: id <TAB> type <TAB> score <TAB> piece as hex UTF-8
  type follows llama.cpp's token types: 1 normal, 2 unknown, 3 control, 6 byte
"""
import array
import os
import sys

import sentencepiece as spm


def token_type(sp, i):
    if sp.is_unknown(i):
        return 2
    if sp.is_control(i):
        return 3
    if sp.is_byte(i):
        return 6
    return 1


def encode_file(sp, path, newline_id):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    docs = [d for d in text.split("\n\n") if d.strip()]
    ids = array.array("H")
    for n, doc in enumerate(docs):
        if n:
            ids.extend([newline_id, newline_id])
        ids.extend(sp.encode(doc.strip("\n")))
    return ids, len(text)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: encode_tokens.py MODEL DATA_DIR OUT_DIR")
    model, data_dir, out_dir = sys.argv[1:]
    if sys.byteorder != "little":
        sys.exit("this packer writes native uint16; run it on a little-endian machine")
    sp = spm.SentencePieceProcessor(model_file=model)
    if sp.get_piece_size() > 65535:
        sys.exit("vocabulary does not fit uint16")
    if (sp.unk_id(), sp.bos_id(), sp.eos_id()) != (0, 1, 2):
        sys.exit("expected <unk>=0 <s>=1 </s>=2")
    newline_id = sp.piece_to_id("<0x0A>")
    if not sp.is_byte(newline_id):
        sys.exit("no <0x0A> byte token: train with --byte_fallback=true")
    os.makedirs(out_dir, exist_ok=True)

    with open(os.path.join(out_dir, "vocab.tsv"), "w", encoding="ascii", newline="\n") as f:
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i).encode("utf-8").hex()
            f.write("%d\t%d\t%.9g\t%s\n" % (i, token_type(sp, i), sp.get_score(i), piece))

    stats = []
    for name in ("train", "heldout_sotu", "heldout_book"):
        ids, chars = encode_file(sp, os.path.join(data_dir, name + ".txt"), newline_id)
        with open(os.path.join(out_dir, name + ".u16"), "wb") as f:
            ids.tofile(f)
        stats.append("%-13s %9d tokens %10d chars %.3f chars/token" % (name, len(ids), chars, chars / max(1, len(ids))))
    with open(os.path.join(out_dir, "token_stats.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(stats) + "\n")
    print("\n".join(stats))


if __name__ == "__main__":
    main()
