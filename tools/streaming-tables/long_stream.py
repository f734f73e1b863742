#!/usr/bin/env python3
"""Acceptance figure for the long stream: reads the per-segment CSV of
`ballast perplexity --loop-to 1000000 --segment 1000 --csv FILE` and compares
the perplexity over the last 100k tokens with the first full-window segment
(segment 0 minus nothing: the cache fills within its first 128 tokens) and
with the first 100k tokens (the same text, so directly comparable).
usage: long_stream.py FILE.csv"""
import csv
import math
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
segs = [(int(r["first_token"]), int(r["tokens"]), float(r["nll"])) for r in rows]
total = sum(t for _, t, _ in segs)


def window_ppl(pred):
    chosen = [(t, nll) for first, t, nll in segs if pred(first)]
    n = sum(t for t, _ in chosen)
    return math.exp(sum(t * nll for t, nll in chosen) / n), n


first_seg = math.exp(segs[0][2])
second_seg = math.exp(segs[1][2])
last, n_last = window_ppl(lambda first: first >= total - 100000)
head, n_head = window_ppl(lambda first: first < 100000)
overall = math.exp(sum(t * nll for _, t, nll in segs) / total)
print(f"tokens scored: {total}")
print(f"first segment (tokens 0-{segs[0][1]}): ppl {first_seg:.3f}; second segment: {second_seg:.3f}")
print(f"first 100k tokens: ppl {head:.3f} ({n_head} tokens)")
print(f"last 100k tokens:  ppl {last:.3f} ({n_last} tokens)")
print(f"last 100k / first segment: {last / first_seg:.4f}  ({100 * (last / first_seg - 1):+.2f}%)")
print(f"last 100k / first 100k:    {last / head:.4f}  ({100 * (last / head - 1):+.2f}%)")
print(f"overall: {overall:.3f}; worst 1000-token segment: {max(math.exp(n) for _, _, n in segs):.3f}")
