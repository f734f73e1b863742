#!/usr/bin/env python3
"""Streaming evaluation in PyTorch, the way the StreamingLLM paper evaluates:
one long held-out text, decoded token by token, every token going through a
KV cache of S sink slots + a window of W slots (the most recent tokens,
the current one included). Positions are assigned within the cache
(slot j has position j, the query has position n-1 where n = tokens in cache);
keys are cached BEFORE RoPE and re-rotated at every step (the paper's reference
method; the fast runtime only has to match it).

Several cache configurations run side by side as one batch; each keeps its own
history (hidden states differ once the caches differ).

usage: eval_streaming.py --model DIR/VARIANT --data DIR --out DIR [--tokens N]

Writes into --out:
  VARIANT.stream.json   per configuration: perplexity over all predicted text tokens and
                        after the cache is full, per-segment perplexity, attention share
                        on slot 0 and on the sink slots per layer (and per head)
  VARIANT.stream.csv    configuration, segment end token, segment perplexity
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import apply_rope, load_exported, rope_cos_sin  # noqa: E402
from train import BOS_ID, load_tokens  # noqa: E402


def newline_id():
    return 3 + 0x0A  # <0x0A>: byte tokens follow <unk>, <s>, </s>


def default_configs(variant):
    """(name, sink slots S, window W, prefix tokens placed before the text)."""
    prefix = [BOS_ID] if variant == "sink" else []
    configs = []
    for s in (0, 1, 2, 4, 8):
        configs.append(("sinks%d+window%d" % (s, 128 - s), s, 128 - s, prefix))
    for s in (0, 4):
        configs.append(("sinks%d+window%d" % (s, 256 - s), s, 256 - s, prefix))
    configs.append(("4newlines+window124", 4, 124, [newline_id()] * 4))
    return configs


@torch.no_grad()
def stream(model, text, configs, device, segment, use_graph=False):
    """Streams `text` through each cache configuration; returns (results, csv rows, seconds).
    use_graph: capture one decoding step as a CUDA graph and replay it (same math;
    the step reads the step counter from a device tensor and advances it itself)."""
    cfg = model.cfg
    B = len(configs)
    d = cfg.head_dim
    group = cfg.n_heads // cfg.n_kv_heads
    prefix_len = torch.tensor([len(c[3]) for c in configs], device=device)
    sinks = torch.tensor([c[1] for c in configs], device=device)
    cap = torch.tensor([c[1] + c[2] for c in configs], device=device)
    n_max = int(cap.max())
    M = text.numel()
    N = int(prefix_len.max()) + M
    streams = torch.zeros(B, N, dtype=torch.long, device=device)  # [B, N] token ids, padded at the end
    for b, c in enumerate(configs):
        p = len(c[3])
        if p:
            streams[b, :p] = torch.tensor(c[3], device=device)
        streams[b, p:p + M] = text

    k_hist = [torch.zeros(B, N, cfg.n_kv_heads, d, device=device) for _ in range(cfg.n_layers)]  # pre-RoPE
    v_hist = [torch.zeros(B, N, cfg.n_kv_heads, d, device=device) for _ in range(cfg.n_layers)]
    cos_tab, sin_tab = rope_cos_sin(torch.arange(n_max, device=device), d, cfg.rope_theta, device)  # [n_max, d/2]
    nll_steps = torch.zeros(B, N, device=device)  # [B, N]: nll of streams[:, t+1] at step t
    first_share = torch.zeros(B, cfg.n_layers, cfg.n_heads, device=device)
    sink_share = torch.zeros(B, cfg.n_layers, cfg.n_heads, device=device)
    full_steps = torch.zeros(B, device=device)
    slot = torch.arange(n_max, device=device)[None, :]          # [1, n_max]
    batch_index = torch.arange(B, device=device)[:, None]       # [B, 1]
    is_sink_slot = slot < sinks[:, None]                        # [B, n_max]
    t_dev = torch.zeros(1, dtype=torch.long, device=device)     # step counter, advanced by step()

    def reset():
        for h in k_hist + v_hist:
            h.zero_()
        for a in (nll_steps, first_share, sink_share, full_steps, t_dev):
            a.zero_()

    def step():
        t = t_dev                                                # [1]
        tok = streams.index_select(1, t)[:, 0]                   # [B]
        count = torch.minimum(cap, t + 1)                        # tokens in cache incl. current
        full = (t + 1) > cap                                     # [B] cache full: evicting
        idx = torch.where(full[:, None] & (slot >= sinks[:, None]), t - cap[:, None] + 1 + slot, slot)
        idx = torch.minimum(torch.clamp(idx, min=0), t)          # [B, n_max] history index per slot
        valid = slot < count[:, None]                            # [B, n_max]
        qpos = count - 1                                         # [B] query position in cache
        q_cos, q_sin = cos_tab[qpos][:, None, :], sin_tab[qpos][:, None, :]   # [B, 1, d/2]
        fm = full[:, None].float()
        x = model.tok_embeddings(tok)[:, None, :]                # [B, 1, dim]
        for li, layer in enumerate(model.layers):
            h = layer.attention_norm(x)
            q, k, v = layer.attention.project(h)                 # q [B,1,H,d], k/v [B,1,KVH,d]
            k_hist[li].index_copy_(1, t, k)
            v_hist[li].index_copy_(1, t, v)
            kc = k_hist[li][batch_index, idx]                    # [B, n_max, KVH, d]
            vc = v_hist[li][batch_index, idx]
            kc = apply_rope(kc, cos_tab[None, :, None, :], sin_tab[None, :, None, :])  # slot j at position j
            qr = apply_rope(q[:, 0], q_cos, q_sin)                # [B, H, d]
            kc = kc.repeat_interleave(group, dim=2)              # [B, n_max, H, d]
            vc = vc.repeat_interleave(group, dim=2)
            scores = torch.einsum("bhd,bnhd->bhn", qr, kc) / math.sqrt(d)
            scores = scores.masked_fill(~valid[:, None, :], float("-inf"))
            probs = scores.softmax(-1)                           # [B, H, n_max]
            out = torch.einsum("bhn,bnhd->bhd", probs, vc).reshape(B, 1, cfg.n_heads * d)
            x = x + layer.attention.wo(out)
            x = x + layer.feed_forward(layer.ffn_norm(x))
            first_share[:, li] += probs[:, :, 0] * fm
            sink_share[:, li] += (probs * is_sink_slot[:, None, :]).sum(-1) * fm
        full_steps.add_(full.float())
        logits = model.output(model.norm(x))[:, 0].float()       # [B, vocab]
        logp = torch.log_softmax(logits, -1)
        nxt = streams.index_select(1, t + 1)                     # [B, 1]
        nll_steps.index_copy_(1, t, -logp.gather(1, nxt))
        t_dev.add_(1)

    t0 = time.time()
    run_step = step
    if use_graph:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                step()
        torch.cuda.current_stream().wait_stream(side)
        reset()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            step()
        reset()  # capture records; make sure nothing it touched is left over
        run_step = graph.replay
    for t in range(N - 1):
        run_step()
        if t % 5000 == 0:
            print("  step %d/%d  %.1fs" % (t, N - 1, time.time() - t0), flush=True)
    if device == "cuda":
        torch.cuda.synchronize()

    # nll[b, i]: predicting text token i (i >= 1), from step t = prefix_len[b] + i - 1
    nll = torch.full((B, M), float("nan"))
    steps_cpu = nll_steps.cpu()
    for b, c in enumerate(configs):
        p = len(c[3])
        nll[b, 1:] = steps_cpu[b, p:p + M - 1]
    results = []
    rows = []
    nll_cpu = nll
    for b, (name, s, w, prefix) in enumerate(configs):
        vals = nll_cpu[b, 1:]
        cache = s + w
        after = nll_cpu[b, max(1, cache + 1 - len(prefix)):]
        seg = []
        for start in range(1, M, segment):
            chunk = nll_cpu[b, start:min(M, start + segment)]
            seg.append(math.exp(chunk.mean().item()))
            rows.append("%s,%d,%.4f" % (name, min(M, start + segment), seg[-1]))
        steps = max(1.0, full_steps[b].item())
        results.append({
            "name": name, "sinks": s, "window": w, "cache": cache, "prefix": prefix,
            "ppl": math.exp(vals.mean().item()),
            "ppl_after_cache_full": math.exp(after.mean().item()),
            "segment_tokens": segment, "segment_ppl": seg,
            "attention_slot0_per_layer": (first_share[b] / steps).mean(-1).tolist(),
            "attention_sinks_per_layer": (sink_share[b] / steps).mean(-1).tolist(),
            "attention_slot0_per_layer_head": (first_share[b] / steps).tolist(),
        })
    return results, rows, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="PREFIX of PREFIX.model.tsv + PREFIX.weights.bin (train.py's export)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--heldout", default="heldout_sotu")
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokens", type=int, default=20000, help="text tokens streamed")
    ap.add_argument("--segment", type=int, default=2000)
    ap.add_argument("--no-graph", action="store_true", help="plain Python loop even on CUDA")
    ap.add_argument("--fallback-tokens", type=int, default=6000, help="tokens if the CUDA graph cannot be used")
    args = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
    model, hparams = load_exported(args.model, device)
    model.eval()
    variant = hparams["variant"]
    text = load_tokens(os.path.join(args.data, args.heldout + ".u16"), device)[: args.tokens]
    configs = default_configs(variant)
    use_graph = device == "cuda" and not args.no_graph
    graph_check = None
    if use_graph:  # the replayed graph must give what the plain loop gives
        short = text[:400]
        plain, _, _ = stream(model, short, configs, device, args.segment, use_graph=False)
        try:
            graphed, _, _ = stream(model, short, configs, device, args.segment, use_graph=True)
            graph_check = max(abs(a["ppl"] - g["ppl"]) / a["ppl"] for a, g in zip(plain, graphed))
            print("graph vs plain loop, 400 tokens: max relative ppl difference %.2e" % graph_check, flush=True)
        except Exception as e:  # noqa: BLE001 - fall back to the plain loop, on fewer tokens
            print("CUDA graph capture failed (%s); plain loop on %d tokens" % (e, args.fallback_tokens), flush=True)
            graph_check = float("inf")
        if not graph_check < 1e-4:
            use_graph = False
            text = text[: args.fallback_tokens]
    results, rows, seconds = stream(model, text, configs, device, args.segment, use_graph=use_graph)
    prefix = os.path.join(args.out, variant)
    with open(prefix + ".stream.json", "w") as f:
        json.dump({"variant": variant, "heldout": args.heldout, "text_tokens": int(text.numel()),
                   "seconds": seconds, "cuda_graph": use_graph,
                   "graph_vs_plain_max_rel_diff": graph_check, "configs": results}, f, indent=1)
    with open(prefix + ".stream.csv", "w", newline="\n") as f:
        f.write("config,segment_end_token,segment_ppl\n" + "\n".join(rows) + "\n")
    print("%s streaming eval, %d text tokens of %s, %.0fs" % (variant, text.numel(), args.heldout, seconds))
    for r in results:
        print("  %-22s ppl %8.3f  after-fill %8.3f  slot0 %s" % (
            r["name"], r["ppl"], r["ppl_after_cache_full"],
            " ".join("%.2f" % a for a in r["attention_slot0_per_layer"])), flush=True)


if __name__ == "__main__":
    main()
