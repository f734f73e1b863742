#include "tools/cli/prefill_routes.h"

#include <cstdio>
#include <set>

#include "kernels/dispatch/kernel_table.h"

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

// The host kernels' repacked variant for this tensor, or nullptr.
const RepackedMatmulKernels *repacked_kernels(const GgufTensorInfo &t) {
  Result<const KernelTable *> table = host_kernel_table();
  if (!table.is_ok()) return nullptr;
  const QuantizedMatmulKernels *kernels = table.value()->matmul_kernels(t.type);
  const RepackedMatmulKernels *r = kernels != nullptr ? kernels->repacked : nullptr;
  if (r == nullptr || activation_row_bytes(r->activation, static_cast<int64_t>(t.shape[0])) < 0) return nullptr;
  return r;
}

bool stays_native_repacked(const GgufTensorInfo &t, PrefillBackendChoice choice, bool repack) {
  return repack && choice == PrefillBackendChoice::automatic && repacked_kernels(t) != nullptr;
}

}  // namespace

bool file_uses_prefill_backend(const GgufFile &gguf, PrefillBackendChoice choice, uint32_t max_batch, bool repack) {
  bool any = false;
  for_each_projection(gguf, [&](const GgufTensorInfo &t) {
    if (stays_native_repacked(t, choice, repack)) return;
    any = any || choose_prefill_route(choice, shape_of(t, max_batch)).kind != PrefillBackendKind::native;
  });
  return any;
}

uint64_t file_repacked_weight_bytes(const GgufFile &gguf) {
  uint64_t total = 0;
  for_each_projection(gguf, [&](const GgufTensorInfo &t) {
    const RepackedMatmulKernels *r = repacked_kernels(t);
    if (r == nullptr) return;
    const uint64_t bytes = static_cast<uint64_t>(
        r->repacked_bytes(static_cast<int64_t>(t.shape[1]), static_cast<int64_t>(t.shape[0])));
    total += (bytes + 63) / 64 * 64;  // each matrix 64-byte aligned, as ForwardPass places them
  });
  return total;
}

std::string describe_file_prefill_routes(const GgufFile &gguf, PrefillBackendChoice choice, uint32_t max_batch,
                                        bool repack) {
  std::set<std::string> entries;
  for_each_projection(gguf, [&](const GgufTensorInfo &t) {
    const PrefillRoute r = choose_prefill_route(choice, shape_of(t, max_batch));
    char line[96];
    if (stays_native_repacked(t, choice, repack)) {
      std::snprintf(line, sizeof line, "%s: native on repacked %s", tensor_type_info(t.type)->name,
                    repacked_kernels(t)->layout);
    } else if (r.kind == PrefillBackendKind::native) {
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
