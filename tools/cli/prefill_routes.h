// The prefill routes (runtime/backends/prefill_policy.h) for a model file
// without loading it: `ballast plan` and `ballast info` use them to plan the
// backend scratch and to say which implementation each projection type gets.
// (A session computes the same routes from its bound weights; `ballast bench`
// prints those.)
#pragma once

#include <string>

#include "models/gguf/gguf_reader.h"
#include "runtime/backends/prefill_policy.h"

namespace ballast::cli {

// True if `choice` sends any projection of the file to a backend at chunks of
// `max_batch` (`repack`: the session repacks weights; automatic routing keeps
// repacked projections native, as ForwardPass does).
bool file_uses_prefill_backend(const GgufFile &gguf, PrefillBackendChoice choice, uint32_t max_batch, bool repack);

// Bytes of the plan's `repacked_weights` region for this file with the
// host's kernels (ForwardPass::repacked_weight_bytes for a loaded model).
uint64_t file_repacked_weight_bytes(const GgufFile &gguf);
// "q4_0: native; q6_k: onednn bf16 from 64 tokens" (one entry per projection weight type).
std::string describe_file_prefill_routes(const GgufFile &gguf, PrefillBackendChoice choice, uint32_t max_batch,
                                        bool repack);

}  // namespace ballast::cli
