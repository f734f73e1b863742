// One projection of a prefill chunk through a PrefillBackend: the weight
// matrix is converted (dequantized, then rounded to bf16 when the backend
// computes in bf16) chunk of rows by chunk of rows into plan scratch, the
// input rows are converted once, and the backend multiplies each chunk.
// Nothing here allocates (the backend may: see prefill_backend.h).
#pragma once

#include <cstdint>

#include "kernels/quant/tensor_type.h"
#include "platform/status.h"
#include "runtime/backends/prefill_backend.h"
#include "runtime/threading/thread_pool.h"

namespace ballast {

// Plan scratch for backend projections (region "prefill_backend_scratch").
struct PrefillScratch {
  uint8_t *weights = nullptr;   // [chunk rows][cols] operand-format weights
  int64_t weight_bytes = 0;
  uint8_t *input = nullptr;     // [max batch][widest cols] bf16 input (unused for f32)
  int64_t input_bytes = 0;
  float *rows_f32 = nullptr;    // [threads][widest cols] f32 dequantization rows
  int64_t row_floats = 0;       // widest cols
};

// Bytes of the scratch for a model whose widest matmul row has `widest_cols`
// elements: weights_budget (the conversion chunk) + input + per-thread rows.
uint64_t prefill_scratch_bytes(uint64_t weights_budget, uint32_t max_batch, uint64_t widest_cols, uint32_t threads);
// Default conversion chunk: 16 MiB (>= 744 f32 rows of a 5632-wide matrix).
constexpr uint64_t kPrefillWeightChunkBytes = uint64_t{16} << 20;

// Carves `bytes` at `base` into a PrefillScratch (the layout prefill_scratch_bytes counts).
PrefillScratch carve_prefill_scratch(uint8_t *base, uint64_t weights_budget, uint32_t max_batch, uint64_t widest_cols,
                                     uint32_t threads);

// out [batch][rows] = in [batch][cols] x W^T with W [rows][cols] of `type` at
// `weights`. pool: nullptr or the session's pool (conversion is split between
// its threads; the backend uses its own threads).
Status backend_linear(PrefillBackend &backend, TensorType type, const void *weights, int64_t rows, int64_t cols,
                      const float *in, int64_t batch, float *out, const PrefillScratch &scratch, ThreadPool *pool);

}  // namespace ballast
