#include "models/model_config.h"

#include <string>

namespace ballast {
namespace {

Result<Architecture> parse_architecture(std::string_view name) {
  if (name == "llama") return Architecture::llama;
  if (name == "qwen2") return Architecture::qwen2;
  if (name == "qwen3") return Architecture::qwen3;
  return make_status(StatusCode::unsupported,
                     "general.architecture '%.*s' is not supported (supported: llama, qwen2, qwen3)",
                     static_cast<int>(name.size()), name.data());
}

// Reads <arch>.<suffix> as a u32 in [1, 2^31); `fallback` 0 means required.
Result<uint32_t> read_dim(const GgufFile &file, const std::string &arch, const char *suffix, uint64_t fallback) {
  const std::string key = arch + "." + suffix;
  BALLAST_ASSIGN_OR_RETURN(uint64_t value, fallback != 0 ? file.get_uint_or(key, fallback) : file.get_uint(key));
  if (value == 0 || value >= (1u << 31)) {
    return make_status(StatusCode::corrupt_file, "%s = %llu is out of range [1, 2^31)", key.c_str(),
                       static_cast<unsigned long long>(value));
  }
  return static_cast<uint32_t>(value);
}

}  // namespace

const char *architecture_name(Architecture arch) {
  switch (arch) {
    case Architecture::llama: return "llama";
    case Architecture::qwen2: return "qwen2";
    case Architecture::qwen3: return "qwen3";
  }
  return "unknown";
}

Result<ModelConfig> read_model_config(const GgufFile &file) {
  ModelConfig c;
  BALLAST_ASSIGN_OR_RETURN(std::string_view arch_name, file.get_string("general.architecture"));
  BALLAST_ASSIGN_OR_RETURN(c.arch, parse_architecture(arch_name));
  const std::string arch(arch_name);
  BALLAST_ASSIGN_OR_RETURN(std::string_view model_name, file.get_string_or("general.name", ""));
  c.name = std::string(model_name);

  BALLAST_ASSIGN_OR_RETURN(c.n_embd, read_dim(file, arch, "embedding_length", 0));
  BALLAST_ASSIGN_OR_RETURN(c.n_layer, read_dim(file, arch, "block_count", 0));
  BALLAST_ASSIGN_OR_RETURN(c.n_ff, read_dim(file, arch, "feed_forward_length", 0));
  BALLAST_ASSIGN_OR_RETURN(c.n_head, read_dim(file, arch, "attention.head_count", 0));
  BALLAST_ASSIGN_OR_RETURN(c.n_head_kv, read_dim(file, arch, "attention.head_count_kv", c.n_head));
  BALLAST_ASSIGN_OR_RETURN(c.n_ctx_train, read_dim(file, arch, "context_length", 2048));
  if (c.n_head % c.n_head_kv != 0) {
    return make_status(StatusCode::corrupt_file, "%s.attention.head_count %u is not a multiple of head_count_kv %u",
                       arch.c_str(), c.n_head, c.n_head_kv);
  }
  if (c.n_embd % c.n_head != 0 && file.find(arch + ".attention.key_length") == nullptr) {
    return make_status(StatusCode::corrupt_file, "%s.embedding_length %u is not a multiple of head_count %u",
                       arch.c_str(), c.n_embd, c.n_head);
  }
  BALLAST_ASSIGN_OR_RETURN(c.head_dim_k, read_dim(file, arch, "attention.key_length", c.n_embd / c.n_head));
  BALLAST_ASSIGN_OR_RETURN(c.head_dim_v, read_dim(file, arch, "attention.value_length", c.head_dim_k));
  BALLAST_ASSIGN_OR_RETURN(c.rope_dim, read_dim(file, arch, "rope.dimension_count", c.head_dim_k));
  if (c.rope_dim > c.head_dim_k || c.rope_dim % 2 != 0) {
    return make_status(StatusCode::corrupt_file, "%s.rope.dimension_count %u must be even and <= head dim %u",
                       arch.c_str(), c.rope_dim, c.head_dim_k);
  }
  BALLAST_ASSIGN_OR_RETURN(double eps, file.get_float_or(arch + ".attention.layer_norm_rms_epsilon", 1e-5));
  BALLAST_ASSIGN_OR_RETURN(double theta, file.get_float_or(arch + ".rope.freq_base", 10000.0));
  if (!(eps > 0 && eps < 1)) return make_status(StatusCode::corrupt_file, "%s.attention.layer_norm_rms_epsilon %g out of (0, 1)", arch.c_str(), eps);
  if (!(theta > 1 && theta < 1e12)) return make_status(StatusCode::corrupt_file, "%s.rope.freq_base %g out of range", arch.c_str(), theta);
  c.rms_norm_eps = static_cast<float>(eps);
  c.rope_freq_base = static_cast<float>(theta);

  const GgufTensorInfo *embd = file.find_tensor("token_embd.weight");
  if (embd == nullptr) return make_status(StatusCode::corrupt_file, "tensor 'token_embd.weight' is missing");
  if (embd->n_dims != 2 || embd->shape[0] != c.n_embd || embd->shape[1] == 0 || embd->shape[1] >= (1u << 31)) {
    return make_status(StatusCode::corrupt_file, "tensor 'token_embd.weight' has shape [%llu, %llu], expected [%u, n_vocab]",
                       static_cast<unsigned long long>(embd->shape[0]), static_cast<unsigned long long>(embd->shape[1]),
                       c.n_embd);
  }
  c.n_vocab = static_cast<uint32_t>(embd->shape[1]);
  c.tied_output = file.find_tensor("output.weight") == nullptr;
  c.rope_neox = c.arch == Architecture::qwen2 || c.arch == Architecture::qwen3;

  if (file.find("ballast.sink_token_id") != nullptr) {
    BALLAST_ASSIGN_OR_RETURN(uint64_t sink_token, file.get_uint("ballast.sink_token_id"));
    if (sink_token >= c.n_vocab) {
      return make_status(StatusCode::corrupt_file, "ballast.sink_token_id %llu is not below n_vocab %u",
                         static_cast<unsigned long long>(sink_token), c.n_vocab);
    }
    BALLAST_ASSIGN_OR_RETURN(uint64_t slots, file.get_uint_or("ballast.sink_slots", 1));
    if (slots == 0 || slots > 64) {
      return make_status(StatusCode::corrupt_file, "ballast.sink_slots %llu is out of range 1..64",
                         static_cast<unsigned long long>(slots));
    }
    c.sink_token_id = static_cast<int32_t>(sink_token);
    c.sink_slots = static_cast<uint32_t>(slots);
  }
  return c;
}

}  // namespace ballast
