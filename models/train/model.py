"""A small Llama-architecture model in PyTorch (shared by train.py,
eval_streaming.py and the weight export).

Architecture (what llama.cpp calls "llama"): token embedding; n_layers blocks of
  x = x + Wo·Attn(RMSNorm(x))          grouped-query attention, RoPE on q and k
  x = x + W2·(SiLU(W1·h) * W3·h), h = RMSNorm(x)   (SwiGLU)
final RMSNorm; untied output projection. No biases.

RoPE convention: llama.cpp's "norm" rope for the llama architecture. Adjacent
pairs (x[2i], x[2i+1]) of each head are rotated by angle pos * theta^(-2i/d),
so the exported q/k weights need no row permutation (unlike Hugging Face
checkpoints, which rotate halves and are permuted by llama.cpp's converter).

GQA: query head h uses key/value head h // (n_heads / n_kv_heads), as llama.cpp.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int = 4096
    dim: int = 256
    n_layers: int = 6
    n_heads: int = 4
    n_kv_heads: int = 2
    ffn_dim: int = 768
    context: int = 512
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5

    @property
    def head_dim(self):
        return self.dim // self.n_heads

    def to_dict(self):
        return asdict(self)


def rope_cos_sin(positions, head_dim, theta, device):
    """positions: int tensor [...]; returns cos, sin of shape [..., head_dim/2] (float32)."""
    pair = torch.arange(0, head_dim, 2, device=device, dtype=torch.float64)  # 2i
    inv_freq = theta ** (-pair / head_dim)                                  # theta^(-2i/d)
    angles = positions.to(torch.float64)[..., None] * inv_freq
    return torch.cos(angles).float(), torch.sin(angles).float()


def apply_rope(x, cos, sin):
    """x: [..., head_dim] with cos/sin broadcastable to [..., head_dim/2].
    Rotates adjacent pairs (x[2i], x[2i+1])."""
    x_even = x[..., 0::2].float()
    x_odd = x[..., 1::2].float()
    out_even = x_even * cos - x_odd * sin
    out_odd = x_even * sin + x_odd * cos
    return torch.stack((out_even, out_odd), dim=-1).flatten(-2).to(x.dtype)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return (xf * self.weight.float()).to(x.dtype)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.head_dim
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * d, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * d, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * d, bias=False)
        self.wo = nn.Linear(cfg.n_heads * d, cfg.dim, bias=False)

    def project(self, x):
        """x: [B, T, dim] -> q [B, T, H, d], k and v [B, T, KVH, d] (k before RoPE)."""
        B, T, _ = x.shape
        c = self.cfg
        q = self.wq(x).view(B, T, c.n_heads, c.head_dim)
        k = self.wk(x).view(B, T, c.n_kv_heads, c.head_dim)
        v = self.wv(x).view(B, T, c.n_kv_heads, c.head_dim)
        return q, k, v

    def forward(self, x, cos, sin, want_probs=False):
        """Causal self-attention over the whole sequence; positions 0..T-1.
        cos/sin: [T, d/2]. Returns (out [B, T, dim], probs [B, H, T, T] or None)."""
        B, T, _ = x.shape
        c = self.cfg
        q, k, v = self.project(x)
        q = apply_rope(q, cos[:, None, :], sin[:, None, :]).transpose(1, 2)  # [B, H, T, d]
        k = apply_rope(k, cos[:, None, :], sin[:, None, :]).transpose(1, 2)  # [B, KVH, T, d]
        v = v.transpose(1, 2)
        group = c.n_heads // c.n_kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        probs = None
        if want_probs or not hasattr(F, "scaled_dot_product_attention"):
            scores = (q.float() @ k.float().transpose(-1, -2)) / math.sqrt(c.head_dim)
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
            probs = scores.softmax(-1)
            out = (probs @ v.float()).to(x.dtype)
        else:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out = out.transpose(1, 2).reshape(B, T, c.n_heads * c.head_dim)
        return self.wo(out), (probs if want_probs else None)


class FeedForward(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)  # gate
        self.w2 = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)  # down
        self.w3 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)  # up

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.feed_forward = FeedForward(cfg)

    def forward(self, x, cos, sin, want_probs=False):
        a, probs = self.attention(self.attention_norm(x), cos, sin, want_probs)
        x = x + a
        x = x + self.feed_forward(self.ffn_norm(x))
        return x, probs


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        self.reset_parameters()

    def reset_parameters(self):
        residual_std = 0.02 / math.sqrt(2 * self.cfg.n_layers)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = residual_std if name.endswith(("wo.weight", "w2.weight")) else 0.02
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, tokens, want_probs=False):
        """tokens: [B, T] -> logits [B, T, vocab] (and per-layer attention probs)."""
        B, T = tokens.shape
        positions = torch.arange(T, device=tokens.device)
        cos, sin = rope_cos_sin(positions, self.cfg.head_dim, self.cfg.rope_theta, tokens.device)
        x = self.tok_embeddings(tokens)
        all_probs = []
        for layer in self.layers:
            x, probs = layer(x, cos, sin, want_probs)
            all_probs.append(probs)
        logits = self.output(self.norm(x))
        return (logits, all_probs) if want_probs else logits


def gguf_tensor_names(cfg: ModelConfig):
    """PyTorch parameter name -> llama.cpp GGUF tensor name."""
    names = {
        "tok_embeddings.weight": "token_embd.weight",
        "norm.weight": "output_norm.weight",
        "output.weight": "output.weight",
    }
    per_layer = {
        "attention_norm.weight": "attn_norm.weight",
        "attention.wq.weight": "attn_q.weight",
        "attention.wk.weight": "attn_k.weight",
        "attention.wv.weight": "attn_v.weight",
        "attention.wo.weight": "attn_output.weight",
        "ffn_norm.weight": "ffn_norm.weight",
        "feed_forward.w1.weight": "ffn_gate.weight",
        "feed_forward.w2.weight": "ffn_down.weight",
        "feed_forward.w3.weight": "ffn_up.weight",
    }
    for i in range(cfg.n_layers):
        for ours, theirs in per_layer.items():
            names["layers.%d.%s" % (i, ours)] = "blk.%d.%s" % (i, theirs)
    return names


def load_exported(prefix, device="cpu"):
    """Loads PREFIX.model.tsv + PREFIX.weights.bin (written by train.py's export)
    into a Transformer. Returns (model, hparams dict)."""
    hparams = {}
    tensors = []
    with open(prefix + ".model.tsv") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "hparam":
                hparams[fields[1]] = fields[2]
            elif fields[0] == "tensor":
                tensors.append((fields[1], fields[2], [int(s) for s in fields[3].split(",")],
                                int(fields[4]), int(fields[5])))
    cfg = ModelConfig(vocab_size=int(hparams["vocab_size"]), dim=int(hparams["dim"]),
                      n_layers=int(hparams["n_layers"]), n_heads=int(hparams["n_heads"]),
                      n_kv_heads=int(hparams["n_kv_heads"]), ffn_dim=int(hparams["ffn_dim"]),
                      context=int(hparams["context"]), rope_theta=float(hparams["rope_theta"]),
                      norm_eps=float(hparams["norm_eps"]))
    with open(prefix + ".weights.bin", "rb") as f:
        blob = bytearray(f.read())
    by_gguf = {gguf: ours for ours, gguf in gguf_tensor_names(cfg).items()}
    state = {}
    for name, dtype, shape, offset, nbytes in tensors:
        dt = torch.float16 if dtype == "f16" else torch.float32
        t = torch.frombuffer(blob, dtype=dt, count=nbytes // (2 if dtype == "f16" else 4), offset=offset)
        state[by_gguf[name]] = t.float().reshape(shape).clone()
    model = Transformer(cfg)
    model.load_state_dict(state)
    return model.to(device), hparams
