#!/usr/bin/env python3
"""Acceptance figures for the long stream (issue 6, item 7), from the
per-segment CSV of `ballast perplexity --loop-to N --segment S --csv FILE`:

* the perplexity over the last 100k scored tokens against the first
  full-window segment (the first 1000 scored tokens after the cache is full)
  and against the first 100k tokens;
* with --period P (the looped text's length in scored tokens: its tokens
  without BOS; segments must divide it, e.g. --segment 25 for 100,225): the
  SAME text compared at the start and at the end of the stream -- the first
  full-window 1000 tokens against the same 1000 text tokens in the last whole
  copy, and the whole first copy (after the cache filled) against the last
  whole copy. Looped text makes these exactly comparable: any difference is
  the stream's length, not the text.

usage: long_stream.py FILE.csv [--cache C] [--period P]
  --cache C   cache slots (sinks + window; default 128): the first C scored
              tokens are the fill-up, not a full window
"""
import argparse
import csv
import math

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("csv")
parser.add_argument("--cache", type=int, default=128)
parser.add_argument("--period", type=int, default=0)
args = parser.parse_args()

rows = list(csv.DictReader(open(args.csv)))
segs = [(int(r["first_token"]), int(r["tokens"]), float(r["nll"])) for r in rows]
total = sum(t for _, t, _ in segs)


def ppl(lo, hi):
    """Perplexity over the segments whose first scored token lies in [lo, hi)."""
    chosen = [(t, nll) for first, t, nll in segs if lo <= first < hi]
    n = sum(t for t, _ in chosen)
    if n == 0:
        raise SystemExit(f"long_stream.py: no segment starts in [{lo}, {hi})")
    return math.exp(sum(t * nll for t, nll in chosen) / n), n


def pct(a, b):
    return f"{a / b:.4f}  ({100 * (a / b - 1):+.2f}%)"


# The first segment that starts once the cache is full, and 1000 tokens from there.
full_start = min(first for first, _, _ in segs if first >= args.cache - 1)
first_full, n_first_full = ppl(full_start, full_start + 1000)
last, n_last = ppl(total - 100000, total)
head, n_head = ppl(0, 100000)
overall = math.exp(sum(t * nll for _, t, nll in segs) / total)
print(f"tokens scored: {total} ({len(segs)} segments)")
print(f"first full-window segment (scored tokens {full_start}-{full_start + n_first_full}): ppl {first_full:.3f}")
print(f"first 100k tokens: ppl {head:.3f} ({n_head} tokens)")
print(f"last 100k tokens:  ppl {last:.3f} ({n_last} tokens)")
print(f"last 100k / first full-window segment: {pct(last, first_full)}")
print(f"last 100k / first 100k:                {pct(last, head)}")
print(f"overall: {overall:.3f}")

if args.period:
    p = args.period
    copies = total // p  # whole copies of the text
    if copies < 2:
        raise SystemExit("long_stream.py: fewer than two whole copies of the text in the stream")
    k = copies - 1  # the last whole copy
    same_late, n_late = ppl(k * p + full_start, k * p + full_start + 1000)
    print(f"\nlooped text of {p} scored tokens: {copies} whole copies; the last whole copy is copy {k} "
          f"(scored tokens {k * p}-{(k + 1) * p}, stream positions up to {(k + 1) * p + 1})")
    print(f"same 1000 text tokens, copy 0 (full window) vs copy {k}: {first_full:.4f} vs {same_late:.4f}: "
          f"{pct(same_late, first_full)}")
    whole_first, n1 = ppl(full_start, p)
    whole_last, n2 = ppl(k * p + full_start, (k + 1) * p)
    print(f"whole copy after the fill-up, copy 0 vs copy {k} ({n1} vs {n2} tokens): {whole_first:.4f} vs "
          f"{whole_last:.4f}: {pct(whole_last, whole_first)}")
    per_copy = [ppl(c * p + full_start, (c + 1) * p)[0] for c in range(copies)]
    print("per copy (after the first " + str(full_start) + " tokens of each): " +
          " ".join(f"{x:.4f}" for x in per_copy))
