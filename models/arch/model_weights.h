// Binds the tensors of a llama-family GGUF (llama, qwen2, qwen3) to named
// fields, checking names, shapes and types against the model config. The
// weights stay in the read-only mapping: these are views, nothing is copied.
#pragma once

#include <cstdint>
#include <vector>

#include "models/gguf/gguf_reader.h"
#include "models/model_config.h"
#include "platform/status.h"

namespace ballast {

// A 2-D weight matrix (or 1-D vector when rows == 1) in the mapped file:
// `rows` rows of `cols` elements, rows contiguous (GGUF ne0 = cols, ne1 = rows).
struct WeightView {
  TensorType type = TensorType::f32;
  const uint8_t *data = nullptr;  // nullptr: tensor absent (optional tensors only)
  uint64_t rows = 0;
  uint64_t cols = 0;
  uint64_t row_bytes = 0;         // bytes of one row in `type`

  bool present() const { return data != nullptr; }
  const float *f32() const { return reinterpret_cast<const float *>(data); }  // only when type == f32
};

struct LayerWeights {
  WeightView attn_norm;   // [n_embd] f32
  WeightView wq;          // [q_width][n_embd]
  WeightView wk;          // [kv_width_k][n_embd]
  WeightView wv;          // [kv_width_v][n_embd]
  WeightView wo;          // [n_embd][n_head * head_dim_v]
  WeightView bq, bk, bv;  // qwen2 biases [q_width], [kv_width_k], [kv_width_v] f32 (optional elsewhere)
  WeightView q_norm;      // qwen3 per-head RMSNorm [head_dim_k] f32
  WeightView k_norm;      // qwen3 per-head RMSNorm [head_dim_k] f32
  WeightView ffn_norm;    // [n_embd] f32
  WeightView ffn_gate;    // [n_ff][n_embd]
  WeightView ffn_up;      // [n_ff][n_embd]
  WeightView ffn_down;    // [n_embd][n_ff]
};

struct ModelWeights {
  WeightView token_embd;   // [n_vocab][n_embd]
  WeightView output_norm;  // [n_embd] f32
  WeightView output;       // [n_vocab][n_embd]; equals token_embd when tied
  WeightView rope_freqs;   // optional llama3 frequency factors [rope_dim / 2] f32
  std::vector<LayerWeights> layers;
  uint64_t total_bytes = 0;  // bytes of every bound tensor (what decode streams per token, roughly)
};

// Errors name the tensor, its shape/type and what was expected.
Result<ModelWeights> bind_model_weights(const GgufFile &file, const ModelConfig &config);

}  // namespace ballast
