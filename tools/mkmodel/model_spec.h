// What ballast-mkmodel generates: architecture, hyperparameters, weight type
// and seed. Presets give real model shapes (TinyLlama 1.1B, SmolLM2-135M) or
// a tiny test shape; every field can then be overridden.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/quant/tensor_type.h"
#include "platform/status.h"

namespace ballast {
namespace mkmodel {

enum class ModelArch { llama, qwen2, qwen3 };

struct ModelSpec {
  ModelArch arch = ModelArch::llama;
  std::string name = "ballast-random";  // general.name
  uint32_t dim = 64;          // embedding_length
  uint32_t layers = 2;        // block_count
  uint32_t heads = 4;         // attention.head_count
  uint32_t kv_heads = 2;      // attention.head_count_kv
  uint32_t head_dim = 0;      // per-head size; 0 = dim / heads
  uint32_t ffn = 128;         // feed_forward_length
  uint32_t vocab = 320;       // tokens (replaced by the copied vocab's size with vocab_from)
  uint32_t ctx = 256;         // context_length
  float rope_theta = 10000.0f;
  float rms_eps = 1e-5f;
  bool tied = false;          // no output.weight: the head reuses token_embd
  TensorType type = TensorType::f32;  // 2-D weight matrices; norms and biases stay F32
  uint64_t seed = 1;
  std::string vocab_from;     // GGUF file whose tokenizer.* keys are copied; empty = synthetic vocab
  uint32_t threads = 0;       // generator threads (0 = all cores); never changes the output bytes

  uint32_t effective_head_dim() const { return head_dim != 0 ? head_dim : (heads != 0 ? dim / heads : 0); }
};

const char *arch_name(ModelArch arch);
Result<ModelArch> parse_arch(const std::string &name);
// "f32|f16|bf16|q8_0|q4_0|q4_1|q5_0|q5_1|q4_k|q5_k|q6_k" (case-insensitive).
Result<TensorType> parse_weight_type(const std::string &name);
// "tiny" | "tinyllama" | "smollm2-135m", with the architecture's defaults (rope theta, eps).
Result<ModelSpec> preset_spec(const std::string &preset, ModelArch arch);
// Shape sanity: non-zero sizes, heads divide evenly, kv_heads divides heads, ...
Status validate_spec(const ModelSpec &spec);
// llama.cpp's general.file_type (LLAMA_FTYPE_*) for a file whose matrices are `type`.
uint32_t llama_file_type(TensorType type);

}  // namespace mkmodel
}  // namespace ballast
