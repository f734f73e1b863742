#include "tools/cli/prefill_routes.h"

#include <cstdio>
#include <set>

namespace ballast::cli {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Projection weights: blk.N.{attn_*,ffn_*}.weight matrices and the output
// matrix (output.weight, or token_embd.weight when the embedding is tied).
template <typename F>
void for_each_projection(const GgufFile &gguf, F f) {
  bool has_output = false;
  for (const GgufTensorInfo &t : gguf.tensors()) has_output = has_output || t.name == "output.weight";
  for (const GgufTensorInfo &t : gguf.tensors()) {
    if (t.n_dims != 2 || !ends_with(t.name, ".weight")) continue;
    const bool block_matrix = t.name.find(".attn_") != std::string_view::npos || t.name.find(".ffn_") != std::string_view::npos;
    const bool output = has_output ? t.name == "output.weight" : t.name == "token_embd.weight";
    if (block_matrix || output) f(t);
  }
}

PrefillShape shape_of(const GgufTensorInfo &t, uint32_t max_batch) {
  PrefillShape s;
  s.type = t.type;
  s.cols = static_cast<int64_t>(t.shape[0]);
  s.rows = static_cast<int64_t>(t.shape[1]);
  s.max_batch = max_batch;
  return s;
}

}  // namespace

bool file_uses_prefill_backend(const GgufFile &gguf, PrefillBackendChoice choice, uint32_t max_batch) {
  bool any = false;
  for_each_projection(gguf, [&](const GgufTensorInfo &t) {
    any = any || choose_prefill_route(choice, shape_of(t, max_batch)).kind != PrefillBackendKind::native;
  });
  return any;
}

std::string describe_file_prefill_routes(const GgufFile &gguf, PrefillBackendChoice choice, uint32_t max_batch) {
  std::set<std::string> entries;
  for_each_projection(gguf, [&](const GgufTensorInfo &t) {
    const PrefillRoute r = choose_prefill_route(choice, shape_of(t, max_batch));
    char line[96];
    if (r.kind == PrefillBackendKind::native) {
      std::snprintf(line, sizeof line, "%s: native", tensor_type_info(t.type)->name);
    } else {
      std::snprintf(line, sizeof line, "%s: %s%s from %u tokens", tensor_type_info(t.type)->name,
                    prefill_backend_name(r.kind), r.operand == PrefillOperand::bf16 ? " bf16" : " f32", r.min_batch);
    }
    entries.insert(line);
  });
  std::string text;
  for (const std::string &e : entries) text += (text.empty() ? "" : "; ") + e;
  return text;
}

}  // namespace ballast::cli
