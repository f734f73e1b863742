#!/usr/bin/env python3
"""Turns the JSON results of run_tables.sh (and the prefill timings) into the
Markdown tables of docs/STREAMING.md.   usage: summarize.py RESULTS_DIR"""
import glob
import json
import os
import re
import sys

results = sys.argv[1]


def load(name):
    path = os.path.join(results, name + ".json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def ppl(name):
    d = load(name)
    return f"{d['perplexity']:.2f}" if d else "n/a"


MODELS = [("sink", "sink-token (shipped)"), ("vanilla", "vanilla")]

print("### Table 1 shape: cache of 128 slots\n")
print("| model | window only (0 + 128) | 4 first tokens as sinks + 124 | 4 newline tokens as sinks + 124 |")
print("|---|---|---|---|")
for m, label in MODELS:
    print(f"| {label} | {ppl(f't2-m-{m}-c128-s0')} | {ppl(f't2-m-{m}-c128-s4')} | {ppl(f't1-m-{m}-c128-newline4')} |")

print("\n### Table 2 shape: sinks at a fixed cache size (sinks + window = cache)\n")
print("| model | cache | 0 sinks | 1 | 2 | 4 | 8 |")
print("|---|---|---|---|---|---|---|")
for m, label in MODELS:
    for cache in (128, 256):
        cells = " | ".join(ppl(f"t2-m-{m}-c{cache}-s{s}") for s in (0, 1, 2, 4, 8))
        print(f"| {label} | {cache} | {cells} |")

print("\n### Table 3 shape: vanilla vs sink-token model, cache 128\n")
print("| model | 0 + 128 | 1 + 127 | 2 + 126 | 4 + 124 |")
print("|---|---|---|---|---|")
for m, label in MODELS:
    cells = " | ".join(ppl(f"t2-m-{m}-c128-s{s}") for s in (0, 1, 2, 4))
    print(f"| {label} | {cells} |")

print("\n### Recompute reference, cache 128, first 1000 tokens\n")
print("| model | recompute 0 + 128 | recompute 1 + 127 | window only 0 + 128 | sink 1 + 127 | sink 4 + 124 |")
print("|---|---|---|---|---|---|")
for m, label in MODELS:
    print(f"| {label} | {ppl(f'ref-recompute-m-{m}-c128')} | {ppl(f'ref-recompute1-m-{m}-c128')} | "
          f"{ppl(f'ref-window-m-{m}-c128')} | {ppl(f'ref-sink1-m-{m}-c128')} | {ppl(f'ref-sink4-m-{m}-c128')} |")


def prefill_rate(w):
    try:
        text = open(os.path.join(results, f"time-prefill-c{w}.err")).read()
    except OSError:
        return None
    found = re.search(r"prefill (\d+) tok @ ([0-9.]+) tok/s", text)
    return (int(found.group(1)), float(found.group(2))) if found else None


print("\n### Per-token time, sink (4 + W-4) vs recompute, shipped model\n")
print("| cache W | sink ms/token | recompute ms/token (measured, token by token) | "
      "recompute ms/token (one W-token prefill) | speed-up |")
print("|---|---|---|---|---|")
for w in (256, 512, 1024, 2048):
    sink = load(f"time-sink-m-sink-c{w}")
    sink_ms = 1000.0 / sink["segments"][-1]["tokens_per_second"] if sink else None
    rec = load(f"time-recompute-m-sink-c{w}")
    rec_ms = 1000.0 / rec["segments"][-1]["tokens_per_second"] if rec else None
    pre = prefill_rate(w)
    pre_ms = 1000.0 * pre[0] / pre[1] if pre else None
    best = rec_ms if rec_ms else pre_ms
    fmt = lambda v: f"{v:.1f}" if v else "not run"
    speed = f"{best / sink_ms:.0f}x" if best and sink_ms else "n/a"
    print(f"| {w} | {fmt(sink_ms)} | {fmt(rec_ms)} | {fmt(pre_ms)} | {speed} |")
