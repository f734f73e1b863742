#!/usr/bin/python3
"""Checks for the training code (CPU; Debian's python3-torch is enough):
  python3 -m unittest models/train/test_model.py   (or run this file)
- RoPE rotates adjacent pairs with theta^(-2i/d) (llama.cpp's "norm" rope);
- streaming with a cache larger than the text equals the plain causal forward;
- with one layer (k/v depend only on the token), streaming with eviction equals a
  plain forward over exactly the cached tokens: sinks + window, positions 0..n-1;
- the export round-trips (model.tsv + weights.bin -> same logits).
"""
import math
import os
import sys
import tempfile
import types
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Transformer, apply_rope, load_exported, rope_cos_sin  # noqa: E402
import eval_streaming  # noqa: E402
import train  # noqa: E402


def tiny(n_layers=2):
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=300, dim=32, n_layers=n_layers, n_heads=4, n_kv_heads=2, ffn_dim=48, context=64)
    m = Transformer(cfg)
    # larger weights than the init so attention is far from uniform
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() == 2:
                p.mul_(8.0)
    return m.eval()


class RopeTest(unittest.TestCase):
    def test_adjacent_pairs(self):
        d, theta, pos = 8, 10000.0, 5
        x = torch.randn(d)
        cos, sin = rope_cos_sin(torch.tensor(pos), d, theta, "cpu")
        y = apply_rope(x, cos, sin)
        for i in range(d // 2):
            ang = pos * theta ** (-2.0 * i / d)
            e = x[2 * i] * math.cos(ang) - x[2 * i + 1] * math.sin(ang)
            o = x[2 * i] * math.sin(ang) + x[2 * i + 1] * math.cos(ang)
            self.assertAlmostEqual(y[2 * i].item(), e.item(), places=5)
            self.assertAlmostEqual(y[2 * i + 1].item(), o.item(), places=5)


def plain_nll(model, tokens):
    logits = model(tokens[None, :])[0].float()
    return -torch.log_softmax(logits[:-1], -1).gather(1, tokens[1:, None])[:, 0]


class StreamingTest(unittest.TestCase):
    def test_no_eviction_equals_plain_forward(self):
        model = tiny()
        text = torch.randint(3, 300, (40,))
        results, _, _ = eval_streaming.stream(model, text, [("dense", 0, 64, [])], "cpu", 100)
        expect = math.exp(plain_nll(model, text).mean().item())
        self.assertAlmostEqual(results[0]["ppl"], expect, delta=1e-4 * expect)

    def test_eviction_with_in_cache_positions(self):
        model = tiny(n_layers=1)
        text = torch.randint(3, 300, (30,))
        for sinks, window in ((0, 6), (2, 6), (4, 4)):
            cap = sinks + window
            results, _, _ = eval_streaming.stream(model, text, [("c", sinks, window, [])], "cpu", 100)
            # expected: for each target i (predicted at step t = i-1), the cache
            # holds text[0:sinks] + the last `window` tokens up to t.
            nll = []
            for t in range(len(text) - 1):
                if t + 1 <= cap:
                    cached = text[: t + 1]
                else:
                    cached = torch.cat([text[:sinks], text[t - window + 1: t + 1]])
                logits = model(cached[None, :])[0, -1].float()
                nll.append(-torch.log_softmax(logits, -1)[text[t + 1]].item())
            expect = math.exp(sum(nll) / len(nll))
            self.assertAlmostEqual(results[0]["ppl"], expect, delta=1e-4 * expect,
                                   msg="sinks=%d window=%d" % (sinks, window))
            # and eviction changes the result (the check above is not vacuous)
            self.assertGreater(abs(results[0]["ppl"] - math.exp(plain_nll(model, text).mean().item())), 1e-3)

    def test_prefix_tokens_are_not_scored(self):
        model = tiny()
        text = torch.randint(3, 300, (20,))
        results, _, _ = eval_streaming.stream(model, text, [("bos", 1, 63, [1])], "cpu", 100)
        full = torch.cat([torch.tensor([1]), text])
        expect = math.exp(plain_nll(model, full)[1:].mean().item())
        self.assertAlmostEqual(results[0]["ppl"], expect, delta=1e-4 * expect)


class ExportTest(unittest.TestCase):
    def test_round_trip(self):
        model = tiny()
        train.round_weights_to_f16(model)
        with tempfile.TemporaryDirectory() as d:
            args = types.SimpleNamespace(variant="sink", steps=1, seed=1)
            train.export(model, model.cfg, args, d)
            loaded, hp = load_exported(os.path.join(d, "sink"))
            self.assertEqual(hp["sink_token_id"], "1")
            tokens = torch.randint(0, 300, (1, 16))
            self.assertTrue(torch.equal(model(tokens), loaded.eval()(tokens)))


class BatchTest(unittest.TestCase):
    def test_sample_layouts(self):
        data = torch.arange(1000) + 3  # no id 1 in the text
        g = torch.Generator().manual_seed(0)
        x, y = train.make_batch(data, 3, 8, "vanilla", g)
        self.assertTrue(torch.equal(x[:, 1:], y[:, :-1]))
        self.assertTrue(bool((x[:, 0] != 1).all()))
        x, y = train.make_batch(data, 3, 8, "sink", g)
        self.assertTrue(bool((x[:, 0] == 1).all()))
        self.assertTrue(torch.equal(x[:, 1:], y[:, :-1]))


if __name__ == "__main__":
    unittest.main()
