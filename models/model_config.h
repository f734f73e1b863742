// Hyperparameters of a llama-family model, read from GGUF metadata. This is
// what the memory planner and (later) the engine need to know about a model;
// the weights themselves stay in the mapped file.
#pragma once

#include <cstdint>
#include <string>

#include "models/gguf/gguf_reader.h"
#include "platform/status.h"

namespace ballast {

enum class Architecture { llama, qwen2, qwen3 };

const char *architecture_name(Architecture arch);

struct ModelConfig {
  Architecture arch = Architecture::llama;
  std::string name;            // general.name, may be empty
  uint32_t n_vocab = 0;        // rows of token_embd.weight
  uint32_t n_ctx_train = 0;    // <arch>.context_length (informational: Ballast streams past it)
  uint32_t n_embd = 0;         // model width
  uint32_t n_layer = 0;
  uint32_t n_head = 0;         // query heads
  uint32_t n_head_kv = 0;      // key/value heads (GQA: n_head % n_head_kv == 0)
  uint32_t head_dim_k = 0;     // per-head key/query width (<arch>.attention.key_length, default n_embd / n_head)
  uint32_t head_dim_v = 0;     // per-head value width
  uint32_t n_ff = 0;           // feed-forward hidden width
  float rms_norm_eps = 1e-5f;
  float rope_freq_base = 10000.0f;
  uint32_t rope_dim = 0;       // rotated dims per head (<arch>.rope.dimension_count, default head_dim_k)
  bool rope_neox = false;      // rotate pairs (i, i + rope_dim/2) (qwen2/qwen3) instead of adjacent pairs (llama)
  bool tied_output = false;    // no output.weight: logits reuse token_embd.weight

  // Model-declared attention sink (Ballast's own GGUF keys, docs/GGUF_KEYS.md):
  // a token the model was trained to find at the start of every sample.
  int32_t sink_token_id = -1;  // ballast.sink_token_id, -1 = none declared
  uint32_t sink_slots = 0;     // ballast.sink_slots: leading KV slots that token needs

  // 64-bit so that hostile sizes cannot wrap before the planner checks them.
  uint64_t q_width() const { return uint64_t{n_head} * head_dim_k; }        // floats in one token's Q
  uint64_t kv_width_k() const { return uint64_t{n_head_kv} * head_dim_k; }  // floats in one token's K (all KV heads)
  uint64_t kv_width_v() const { return uint64_t{n_head_kv} * head_dim_v; }  // floats in one token's V
};

// Reads and validates the hyperparameters (positive sizes, head counts that
// divide, tensor shapes that agree with them). Errors name the key.
Result<ModelConfig> read_model_config(const GgufFile &file);

}  // namespace ballast
