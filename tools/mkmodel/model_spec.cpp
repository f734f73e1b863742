#include "tools/mkmodel/model_spec.h"

#include <cctype>

namespace ballast {
namespace mkmodel {
namespace {

std::string lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

const char *arch_name(ModelArch arch) {
  switch (arch) {
    case ModelArch::llama: return "llama";
    case ModelArch::qwen2: return "qwen2";
    case ModelArch::qwen3: return "qwen3";
  }
  return "unknown";
}

Result<ModelArch> parse_arch(const std::string &name) {
  const std::string n = lower(name);
  if (n == "llama") return ModelArch::llama;
  if (n == "qwen2") return ModelArch::qwen2;
  if (n == "qwen3") return ModelArch::qwen3;
  return make_status(StatusCode::invalid_argument, "unknown architecture '%s' (expected llama, qwen2 or qwen3)", name.c_str());
}

Result<TensorType> parse_weight_type(const std::string &name) {
  struct Entry {
    const char *name;
    TensorType type;
  };
  static const Entry kEntries[] = {
      {"f32", TensorType::f32},   {"f16", TensorType::f16},   {"bf16", TensorType::bf16}, {"q8_0", TensorType::q8_0},
      {"q4_0", TensorType::q4_0}, {"q4_1", TensorType::q4_1}, {"q5_0", TensorType::q5_0}, {"q5_1", TensorType::q5_1},
      {"q4_k", TensorType::q4_k}, {"q5_k", TensorType::q5_k}, {"q6_k", TensorType::q6_k},
  };
  const std::string n = lower(name);
  for (const Entry &e : kEntries) {
    if (n == e.name) return e.type;
  }
  return make_status(StatusCode::invalid_argument,
                     "unknown weight type '%s' (expected f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k or q6_k)",
                     name.c_str());
}

Result<ModelSpec> preset_spec(const std::string &preset, ModelArch arch) {
  ModelSpec spec;
  spec.arch = arch;
  // Qwen models use a larger RoPE base and a smaller epsilon than Llama.
  const bool qwen = arch != ModelArch::llama;
  spec.rope_theta = qwen ? 1000000.0f : 10000.0f;
  spec.rms_eps = qwen ? 1e-6f : 1e-5f;
  const std::string p = lower(preset);
  if (p == "tiny") {
    spec.name = "ballast-tiny-random";
    spec.dim = 64, spec.layers = 2, spec.heads = 4, spec.kv_heads = 2, spec.ffn = 128, spec.vocab = 320, spec.ctx = 256;
  } else if (p == "tinyllama") {
    spec.name = "ballast-tinyllama-shape-random";
    spec.dim = 2048, spec.layers = 22, spec.heads = 32, spec.kv_heads = 4, spec.ffn = 5632, spec.vocab = 32000,
    spec.ctx = 2048;
  } else if (p == "smollm2-135m") {
    spec.name = "ballast-smollm2-135m-shape-random";
    spec.dim = 576, spec.layers = 30, spec.heads = 9, spec.kv_heads = 3, spec.ffn = 1536, spec.vocab = 49152,
    spec.ctx = 8192, spec.tied = true;
    if (!qwen) spec.rope_theta = 100000.0f;  // SmolLM2's rope base
  } else {
    return make_status(StatusCode::invalid_argument, "unknown preset '%s' (expected tiny, tinyllama or smollm2-135m)",
                       preset.c_str());
  }
  return spec;
}

Status validate_spec(const ModelSpec &spec) {
  if (spec.dim == 0 || spec.layers == 0 || spec.heads == 0 || spec.kv_heads == 0 || spec.ffn == 0 || spec.vocab == 0 ||
      spec.ctx == 0) {
    return make_status(StatusCode::invalid_argument, "dim, layers, heads, kv-heads, ffn, vocab and ctx must all be > 0");
  }
  if (spec.heads % spec.kv_heads != 0) {
    return make_status(StatusCode::invalid_argument, "heads (%u) must be a multiple of kv-heads (%u)", spec.heads,
                       spec.kv_heads);
  }
  if (spec.head_dim == 0 && spec.dim % spec.heads != 0) {
    return make_status(StatusCode::invalid_argument, "dim (%u) must be a multiple of heads (%u)", spec.dim, spec.heads);
  }
  if (spec.effective_head_dim() % 2 != 0) {
    return make_status(StatusCode::invalid_argument, "head size %u must be even for RoPE", spec.effective_head_dim());
  }
  if (spec.head_dim != 0 && spec.head_dim * spec.heads != spec.dim && spec.arch != ModelArch::qwen3) {
    return make_status(StatusCode::invalid_argument,
                       "a head size other than dim/heads is only supported for qwen3 (llama.cpp reads key_length there)");
  }
  if (!(spec.rms_eps > 0.0f) || !(spec.rope_theta > 0.0f)) {
    return make_status(StatusCode::invalid_argument, "eps and rope-theta must be > 0");
  }
  return Status::ok();
}

uint32_t llama_file_type(TensorType type) {
  switch (type) {
    case TensorType::f32: return 0;    // ALL_F32
    case TensorType::f16: return 1;    // MOSTLY_F16
    case TensorType::q4_0: return 2;   // MOSTLY_Q4_0
    case TensorType::q4_1: return 3;   // MOSTLY_Q4_1
    case TensorType::q8_0: return 7;   // MOSTLY_Q8_0
    case TensorType::q5_0: return 8;   // MOSTLY_Q5_0
    case TensorType::q5_1: return 9;   // MOSTLY_Q5_1
    case TensorType::q4_k: return 14;  // MOSTLY_Q4_K_S (every matrix Q4_K)
    case TensorType::q5_k: return 16;  // MOSTLY_Q5_K_S
    case TensorType::q6_k: return 18;  // MOSTLY_Q6_K
    case TensorType::bf16: return 32;  // MOSTLY_BF16
  }
  return 0;
}

}  // namespace mkmodel
}  // namespace ballast
