// Where each activation buffer of the forward pass lives inside the plan's
// `activations` region. The memory planner sizes the region with this same
// layout, so the engine can never index past what was reserved.
#pragma once

#include <cstdint>

#include "models/model_config.h"

namespace ballast {

// Offsets in floats from the region start; every buffer holds `batch` rows.
struct ActivationLayout {
  uint64_t x = 0;         // [batch][n_embd]   residual stream
  uint64_t xb = 0;        // [batch][n_embd]   normed input of a sub-layer
  uint64_t xb2 = 0;       // [batch][n_embd]   sub-layer output before the residual add
  uint64_t q = 0;         // [batch][n_head * head_dim_k]
  uint64_t k = 0;         // [batch][n_head_kv * head_dim_k]
  uint64_t v = 0;         // [batch][n_head_kv * head_dim_v]
  uint64_t attn_out = 0;  // [batch][n_head * head_dim_v]
  uint64_t gate = 0;      // [batch][n_ff]
  uint64_t up = 0;        // [batch][n_ff]
  uint64_t total_floats = 0;
};

ActivationLayout activation_layout(const ModelConfig &model, uint64_t batch);

// Widest activation row any weight matrix reads (elements): the converted
// (quantized / f16) activation buffer holds [batch] rows of at most 2 bytes
// per element of this width.
uint64_t widest_activation_row(const ModelConfig &model);

}  // namespace ballast
