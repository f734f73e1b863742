#!/usr/bin/env python3
"""Writes OUT/prompt-W.txt: the longest prefix of TEXT that the model's
tokenizer turns into exactly W tokens (BOS included), for W = 256 .. 2048.
Used to time one recompute step (a W-token prefill).
usage: make_prompts.py BALLAST MODEL TEXT OUT"""
import subprocess
import sys

ballast, model, text_path, out = sys.argv[1:5]
text = open(text_path, encoding="utf-8").read()


def token_count(n_chars):
    path = f"{out}/prompt-probe.txt"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:n_chars])
    ids = subprocess.run([ballast, "tokenize", "-m", model, "-f", path],
                         capture_output=True, text=True, check=True).stdout.split()
    return len(ids)


for w in (256, 512, 1024, 2048):
    lo, hi = 1, w * 8
    while lo < hi:  # largest prefix with <= w tokens
        mid = (lo + hi + 1) // 2
        if token_count(mid) <= w:
            lo = mid
        else:
            hi = mid - 1
    with open(f"{out}/prompt-{w}.txt", "w", encoding="utf-8") as f:
        f.write(text[:lo])
    print(w, lo, token_count(lo))
