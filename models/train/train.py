#!/usr/bin/env python3
"""Trains the small default model (model.py) on the uint16 token arrays from
prepare_data.sh, logs the loss curve, and exports the weights for
ballast-import.

Variants (StreamingLLM paper, section 3.3):
  vanilla  every sample is 512 tokens starting at a random offset of the
           training stream; no BOS: whatever token comes first must serve as sink
  sink     every sample is <s> (id 1) followed by 511 tokens from a random
           offset: <s> becomes a dedicated, learned attention sink

usage: train.py --variant vanilla|sink --data DIR --out DIR [--steps N] ...

Writes into --out (all prefixed with the variant name):
  VARIANT.loss.csv        step, lr, train loss, held-out losses (every --eval-every)
  VARIANT.summary.json    config, hyperparameters, final losses, timing
  VARIANT.weights.bin     raw little-endian weights: 2-D tensors float16, 1-D float32
  VARIANT.model.tsv       manifest for ballast-import: hyperparameters + tensor table
  VARIANT.ref_logits.bin  float32 [64, vocab] logits of the exported weights on the first
                          64 held-out SOTU tokens (with <s> first for the sink variant),
                          for checking other implementations against PyTorch
After training the 2-D weights are rounded to float16 in the model itself, so every
number measured afterwards (held-out loss, streaming evaluation) is for exactly the
weights that the F16 GGUF holds.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Transformer, gguf_tensor_names  # noqa: E402

BOS_ID = 1


def load_tokens(path, device):
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    if sys.byteorder != "little":
        sys.exit("expects a little-endian host")
    t = torch.frombuffer(raw, dtype=torch.int16).to(torch.int32) & 0xFFFF
    return t.long().to(device)


def make_batch(data, batch, context, variant, generator):
    """Returns (inputs [B, T], targets [B, T]) for the variant's sample layout."""
    text_len = context + 1 if variant == "vanilla" else context
    starts = torch.randint(0, data.numel() - text_len, (batch,), generator=generator,
                           device=generator.device)
    idx = starts[:, None] + torch.arange(text_len, device=data.device)[None, :]
    text = data[idx]
    if variant == "vanilla":
        return text[:, :-1], text[:, 1:]
    bos = torch.full((batch, 1), BOS_ID, dtype=text.dtype, device=text.device)
    return torch.cat([bos, text[:, :-1]], dim=1), text


def heldout_chunks(data, context, variant, max_chunks):
    """Non-overlapping held-out samples in the variant's layout: (inputs, targets)."""
    text_len = context + 1 if variant == "vanilla" else context
    n = min(max_chunks, (data.numel() - 1) // text_len)
    text = data[: n * text_len].view(n, text_len)
    if variant == "vanilla":
        return text[:, :-1], text[:, 1:]
    bos = torch.full((n, 1), BOS_ID, dtype=text.dtype, device=text.device)
    return torch.cat([bos, text[:, :-1]], dim=1), text


@torch.no_grad()
def heldout_loss(model, chunks, batch, autocast):
    inputs, targets = chunks
    total, count = 0.0, 0
    for i in range(0, inputs.shape[0], batch):
        with autocast():
            logits = model(inputs[i:i + batch])
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]),
                               targets[i:i + batch].reshape(-1), reduction="sum")
        total += loss.item()
        count += targets[i:i + batch].numel()
    return total / count


@torch.no_grad()
def attention_on_first_token(model, chunks, n_chunks, skip_queries=16):
    """Mean attention probability on key position 0 per layer and head, over
    queries >= skip_queries (float32, plain causal forward)."""
    inputs = chunks[0][:n_chunks]
    _, probs = model(inputs, want_probs=True)
    out = []
    for p in probs:  # [B, H, T, T]
        out.append(p[:, :, skip_queries:, 0].mean(dim=(0, 2)).tolist())
    return out


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    floor = args.lr * args.min_lr_ratio
    return floor + 0.5 * (args.lr - floor) * (1 + math.cos(math.pi * min(1.0, progress)))


def round_weights_to_f16(model):
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.copy_(p.half().float())


def export(model, cfg, args, out):
    """VARIANT.weights.bin + VARIANT.model.tsv (read by tools/import)."""
    prefix = os.path.join(out, args.variant)
    names = gguf_tensor_names(cfg)
    rows = []
    offset = 0
    with open(prefix + ".weights.bin", "wb") as f:
        for name, p in model.state_dict().items():
            t = p.detach().cpu()
            dtype = "f16" if t.dim() == 2 else "f32"
            data = (t.half() if dtype == "f16" else t.float()).contiguous().numpy().tobytes()
            f.write(data)
            shape = ",".join(str(s) for s in t.shape)  # PyTorch order: rows first
            rows.append("tensor\t%s\t%s\t%s\t%d\t%d" % (names[name], dtype, shape, offset, len(data)))
            offset += len(data)
    hparams = [
        ("variant", args.variant),
        ("vocab_size", cfg.vocab_size), ("dim", cfg.dim), ("n_layers", cfg.n_layers),
        ("n_heads", cfg.n_heads), ("n_kv_heads", cfg.n_kv_heads), ("ffn_dim", cfg.ffn_dim),
        ("context", cfg.context), ("rope_theta", cfg.rope_theta), ("norm_eps", cfg.norm_eps),
        ("add_bos", 1 if args.variant == "sink" else 0),
        ("steps", args.steps), ("seed", args.seed),
    ]
    if args.variant == "sink":
        hparams += [("sink_token_id", BOS_ID), ("sink_slots", 1)]
    with open(prefix + ".model.tsv", "w", newline="\n") as f:
        f.write("# ballast-import manifest: hparam NAME VALUE | tensor GGUF_NAME DTYPE SHAPE(rows first) OFFSET BYTES\n")
        for k, v in hparams:
            f.write("hparam\t%s\t%s\n" % (k, v))
        f.write("\n".join(rows) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=["vanilla", "sink"], required=True)
    ap.add_argument("--data", required=True, help="folder with train.u16, heldout_sotu.u16, heldout_book.u16")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--batch", type=int, default=64, help="samples per step (x context = tokens/step)")
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--min-lr-ratio", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--weight-decay", type=float, default=0.5)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--heldout-chunks", type=int, default=96, help="512-token held-out samples per held-out set")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--tiny", action="store_true", help="tiny model for CPU smoke tests")
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(args.seed)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.out, exist_ok=True)
    cfg = ModelConfig()
    if args.tiny:
        cfg = ModelConfig(dim=64, n_layers=2, n_heads=4, n_kv_heads=2, ffn_dim=128, context=64)

    train = load_tokens(os.path.join(args.data, "train.u16"), device)
    heldout = {name: load_tokens(os.path.join(args.data, name + ".u16"), device)
               for name in ("heldout_sotu", "heldout_book")}
    if int(train.max()) >= cfg.vocab_size:
        sys.exit("token id out of vocabulary range")
    chunks = {name: heldout_chunks(d, cfg.context, args.variant, args.heldout_chunks)
              for name, d in heldout.items()}

    model = Transformer(cfg).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": args.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    try:
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, fused=(device == "cuda"))
    except TypeError:
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    step_model = torch.compile(model) if args.compile else model

    def autocast():
        if device == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return torch.autocast("cpu", enabled=False)

    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed + (0 if args.variant == "vanilla" else 1))
    prefix = os.path.join(args.out, args.variant)
    log = open(prefix + ".loss.csv", "w", newline="\n")
    log.write("step,lr,train_loss,heldout_sotu_loss,heldout_book_loss,elapsed_s\n")
    print("variant=%s params=%d tokens/step=%d train_tokens=%d device=%s" % (
        args.variant, n_params, args.batch * cfg.context, train.numel(), device), flush=True)

    t0 = time.time()
    running = torch.zeros((), device=device)
    running_n = 0
    last_train_loss = float("nan")
    for step in range(args.steps + 1):
        evaluate = step % args.eval_every == 0 or step == args.steps
        if evaluate:
            model.eval()
            h = {n: heldout_loss(model, c, args.batch, autocast) for n, c in chunks.items()}
            model.train()
        if step == args.steps:
            train_loss = last_train_loss
            log.write("%d,%.6g,%.5f,%.5f,%.5f,%.1f\n" % (step, lr_at(step, args), train_loss,
                      h["heldout_sotu"], h["heldout_book"], time.time() - t0))
            break
        lr = lr_at(step, args)
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = make_batch(train, args.batch, cfg.context, args.variant, gen)
        with autocast():
            logits = step_model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, cfg.vocab_size), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        running = running + loss.detach()  # summed on the device: no sync per step
        running_n += 1
        if step % args.log_every == 0 or evaluate:
            train_loss = (running / running_n).item()  # mean since the last log line
            last_train_loss = train_loss
            running, running_n = torch.zeros((), device=device), 0
            log.write("%d,%.6g,%.5f,%s,%s,%.1f\n" % (
                step, lr, train_loss,
                "%.5f" % h["heldout_sotu"] if evaluate else "",
                "%.5f" % h["heldout_book"] if evaluate else "", time.time() - t0))
            log.flush()
            if evaluate:
                print("step %5d lr %.2e train %.4f heldout sotu %.4f book %.4f  %.1fs" % (
                    step, lr, train_loss, h["heldout_sotu"], h["heldout_book"], time.time() - t0), flush=True)
    train_seconds = time.time() - t0
    log.close()

    # Export exactly what the F16 GGUF will hold, and measure that.
    model.eval()
    before = h
    round_weights_to_f16(model)
    after = {n: heldout_loss(model, c, args.batch, autocast) for n, c in chunks.items()}
    with torch.no_grad():
        first_attn = attention_on_first_token(model, chunks["heldout_sotu"], 8)
        ref_tokens = heldout["heldout_sotu"][:64 - (1 if args.variant == "sink" else 0)]
        if args.variant == "sink":
            ref_tokens = torch.cat([torch.tensor([BOS_ID], device=device), ref_tokens])
        ref_logits = model(ref_tokens[None, :]).float()[0]  # [64, vocab], float32 math
    with open(prefix + ".ref_logits.bin", "wb") as f:
        f.write(ref_logits.cpu().contiguous().numpy().tobytes())
    with open(prefix + ".ref_tokens.txt", "w") as f:
        f.write(" ".join(str(int(t)) for t in ref_tokens.tolist()) + "\n")
    export(model, cfg, args, args.out)
    summary = {
        "variant": args.variant, "config": cfg.to_dict(), "params": n_params,
        "args": vars(args), "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "torch": torch.__version__, "train_seconds": train_seconds,
        "steps_per_second": args.steps / max(1e-9, train_seconds),
        "tokens_per_step": args.batch * cfg.context,
        "heldout_loss_f32": before, "heldout_loss_f16_export": after,
        "heldout_ppl_f16_export": {n: math.exp(v) for n, v in after.items()},
        "attention_on_first_token_per_layer_head": first_attn,
    }
    with open(prefix + ".summary.json", "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: summary[k] for k in ("variant", "train_seconds", "heldout_ppl_f16_export")}), flush=True)
    print("attention on first token per layer (mean over heads):",
          [round(sum(l) / len(l), 3) for l in first_attn], flush=True)


if __name__ == "__main__":
    main()
