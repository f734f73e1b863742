#include "tools/import/import_gguf.h"

#include <cstring>
#include <map>
#include <set>

#include "kernels/quant/float16.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {
namespace {

struct LlamaHparams {
  uint32_t vocab_size, dim, n_layers, n_heads, n_kv_heads, ffn_dim, context;
  float rope_theta, norm_eps;
};

Result<LlamaHparams> read_hparams(const ImportManifest &m) {
  LlamaHparams h{};
  BALLAST_ASSIGN_OR_RETURN(h.vocab_size, manifest_u32(m, "vocab_size"));
  BALLAST_ASSIGN_OR_RETURN(h.dim, manifest_u32(m, "dim"));
  BALLAST_ASSIGN_OR_RETURN(h.n_layers, manifest_u32(m, "n_layers"));
  BALLAST_ASSIGN_OR_RETURN(h.n_heads, manifest_u32(m, "n_heads"));
  BALLAST_ASSIGN_OR_RETURN(h.n_kv_heads, manifest_u32(m, "n_kv_heads"));
  BALLAST_ASSIGN_OR_RETURN(h.ffn_dim, manifest_u32(m, "ffn_dim"));
  BALLAST_ASSIGN_OR_RETURN(h.context, manifest_u32(m, "context"));
  BALLAST_ASSIGN_OR_RETURN(h.rope_theta, manifest_f32(m, "rope_theta"));
  BALLAST_ASSIGN_OR_RETURN(h.norm_eps, manifest_f32(m, "norm_eps"));
  if (h.n_heads == 0 || h.n_kv_heads == 0 || h.dim % h.n_heads != 0 || h.n_heads % h.n_kv_heads != 0 ||
      (h.dim / h.n_heads) % 2 != 0) {
    return make_status(StatusCode::invalid_argument, "inconsistent heads: dim %u, heads %u, kv heads %u", h.dim,
                       h.n_heads, h.n_kv_heads);
  }
  return h;
}

// GGUF name -> shape rows first (PyTorch order), for the llama layout.
std::map<std::string, std::vector<uint64_t>> expected_shapes(const LlamaHparams &h) {
  const uint64_t head_dim = h.dim / h.n_heads;
  std::map<std::string, std::vector<uint64_t>> s;
  s["token_embd.weight"] = {h.vocab_size, h.dim};
  s["output_norm.weight"] = {h.dim};
  s["output.weight"] = {h.vocab_size, h.dim};
  for (uint32_t i = 0; i < h.n_layers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    s[p + "attn_norm.weight"] = {h.dim};
    s[p + "attn_q.weight"] = {h.n_heads * head_dim, h.dim};
    s[p + "attn_k.weight"] = {h.n_kv_heads * head_dim, h.dim};
    s[p + "attn_v.weight"] = {h.n_kv_heads * head_dim, h.dim};
    s[p + "attn_output.weight"] = {h.dim, h.n_heads * head_dim};
    s[p + "ffn_norm.weight"] = {h.dim};
    s[p + "ffn_gate.weight"] = {h.ffn_dim, h.dim};
    s[p + "ffn_down.weight"] = {h.dim, h.ffn_dim};
    s[p + "ffn_up.weight"] = {h.ffn_dim, h.dim};
  }
  return s;
}

// Raw tensor bytes -> float32 values.
std::vector<float> to_f32(const ManifestTensor &t, const uint8_t *src) {
  const uint64_t n = t.bytes / (t.dtype == RawDtype::f16 ? 2 : 4);
  std::vector<float> out(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (t.dtype == RawDtype::f16) {
      uint16_t h;
      std::memcpy(&h, src + 2 * i, 2);
      out[i] = f16_to_f32(h);
    } else {
      std::memcpy(&out[i], src + 4 * i, 4);
    }
  }
  return out;
}

std::vector<uint8_t> encode_tensor(const ManifestTensor &t, const uint8_t *src, TensorType type) {
  const uint64_t cols = t.rows_first_shape.back();
  std::vector<float> values = to_f32(t, src);
  const uint64_t rows = values.size() / cols;
  std::vector<uint8_t> out;
  if (type == TensorType::f32) {
    out.resize(values.size() * 4);
    std::memcpy(out.data(), values.data(), out.size());
  } else if (type == TensorType::f16) {
    out.resize(values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint16_t h = f32_to_f16(values[i]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
  } else {  // q8_0: rows of `cols` elements, 34 bytes per 32
    const uint64_t row_bytes = cols / 32 * 34;
    out.resize(rows * row_bytes);
    for (uint64_t r = 0; r < rows; ++r) {
      quantize_row_q8_0(values.data() + r * cols, out.data() + r * row_bytes, static_cast<int64_t>(cols));
    }
  }
  return out;
}

}  // namespace

Result<GgufWriter> build_llama_gguf(const ImportManifest &manifest, const std::string &weights, const SpmVocab &vocab,
                                    const ImportOptions &options) {
  BALLAST_ASSIGN_OR_RETURN(const LlamaHparams h, read_hparams(manifest));
  if (vocab.pieces.size() != h.vocab_size) {
    return make_status(StatusCode::invalid_argument, "vocab has %zu tokens, model %u", vocab.pieces.size(),
                       h.vocab_size);
  }
  const auto expected = expected_shapes(h);
  std::set<std::string> seen;
  for (const ManifestTensor &t : manifest.tensors) {
    const auto it = expected.find(t.name);
    if (it == expected.end()) return make_status(StatusCode::invalid_argument, "unexpected tensor %s", t.name.c_str());
    if (it->second != t.rows_first_shape) {
      return make_status(StatusCode::invalid_argument, "tensor %s has the wrong shape for these hparams",
                         t.name.c_str());
    }
    if (!seen.insert(t.name).second) return make_status(StatusCode::invalid_argument, "duplicate tensor %s", t.name.c_str());
    if (t.offset > weights.size() || t.bytes > weights.size() - t.offset) {
      return make_status(StatusCode::corrupt_file, "tensor %s [%llu, +%llu) lies past the end of weights (%zu bytes)",
                         t.name.c_str(), static_cast<unsigned long long>(t.offset),
                         static_cast<unsigned long long>(t.bytes), weights.size());
    }
  }
  if (seen.size() != expected.size()) {
    for (const auto &e : expected) {
      if (!seen.count(e.first)) return make_status(StatusCode::invalid_argument, "missing tensor %s", e.first.c_str());
    }
  }
  const bool q8 = options.weight_type == ImportWeightType::q8_0;
  if (q8 && (h.dim % 32 != 0 || h.ffn_dim % 32 != 0)) {
    return make_status(StatusCode::invalid_argument, "Q8_0 needs dim and ffn_dim multiples of 32");
  }

  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", options.name);
  w.set_u32("general.file_type", q8 ? 7u : 1u);  // llama.cpp: MOSTLY_Q8_0 = 7, MOSTLY_F16 = 1
  if (q8) w.set_u32("general.quantization_version", 2);
  w.set_u32("llama.context_length", h.context);
  w.set_u32("llama.embedding_length", h.dim);
  w.set_u32("llama.block_count", h.n_layers);
  w.set_u32("llama.feed_forward_length", h.ffn_dim);
  w.set_u32("llama.attention.head_count", h.n_heads);
  w.set_u32("llama.attention.head_count_kv", h.n_kv_heads);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", h.norm_eps);
  w.set_f32("llama.rope.freq_base", h.rope_theta);
  w.set_u32("llama.rope.dimension_count", h.dim / h.n_heads);
  w.set_u32("llama.vocab_size", h.vocab_size);

  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", vocab.pieces);
  w.set_f32_array("tokenizer.ggml.scores", vocab.scores);
  w.set_i32_array("tokenizer.ggml.token_type", vocab.types);
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  w.set_u32("tokenizer.ggml.unknown_token_id", 0);
  uint32_t add_bos = 0;
  if (manifest.hparams.count("add_bos")) {
    BALLAST_ASSIGN_OR_RETURN(add_bos, manifest_u32(manifest, "add_bos"));
  }
  w.set_bool("tokenizer.ggml.add_bos_token", add_bos != 0);
  w.set_bool("tokenizer.ggml.add_eos_token", false);
  w.set_bool("tokenizer.ggml.add_space_prefix", true);
  if (manifest.hparams.count("sink_token_id")) {
    BALLAST_ASSIGN_OR_RETURN(const uint32_t sink_id, manifest_u32(manifest, "sink_token_id"));
    BALLAST_ASSIGN_OR_RETURN(const uint32_t sink_slots, manifest_u32(manifest, "sink_slots"));
    if (sink_id >= h.vocab_size) return make_status(StatusCode::invalid_argument, "sink_token_id %u out of range", sink_id);
    w.set_u32("ballast.sink_token_id", sink_id);
    w.set_u32("ballast.sink_slots", sink_slots);
  }

  // Tensors in llama.cpp's usual order: embedding, blocks, output norm, output.
  std::vector<const ManifestTensor *> ordered;
  auto add_named = [&](const std::string &name) {
    for (const ManifestTensor &t : manifest.tensors) {
      if (t.name == name) ordered.push_back(&t);
    }
  };
  add_named("token_embd.weight");
  for (uint32_t i = 0; i < h.n_layers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    for (const char *s : {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate",
                          "ffn_down", "ffn_up"}) {
      add_named(p + s + ".weight");
    }
  }
  add_named("output_norm.weight");
  add_named("output.weight");
  for (const ManifestTensor *t : ordered) {
    const bool matrix = t->rows_first_shape.size() == 2;
    const TensorType type = !matrix ? TensorType::f32 : (q8 ? TensorType::q8_0 : TensorType::f16);
    std::vector<uint64_t> shape(t->rows_first_shape.rbegin(), t->rows_first_shape.rend());  // ne0 first
    const uint8_t *src = reinterpret_cast<const uint8_t *>(weights.data()) + t->offset;
    w.add_tensor(t->name, type, shape, encode_tensor(*t, src, type));
  }
  return w;
}

}  // namespace ballast
