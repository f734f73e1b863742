// One projection of a prefill chunk through a PrefillBackend. The weight
// matrix is cut into slices of at most `slice_rows` rows (a size that depends
// on the matrix width and the operand format only, never on the thread
// count); the session's pool threads take slices one after another, and each
// thread converts its slice (dequantize, then round to bf16 when the backend
// computes in bf16) into its own part of the plan scratch and multiplies it
// at once, single-threaded, while it is still in that core's cache. The
// input rows are converted once, split over the pool, before the slices.
//
// Because every slice is the same single-threaded backend call whatever the
// thread count, the output is bit for bit the same with 1 or N threads
// (tests/backends/prefill_backend_test.cpp checks it).
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
  uint8_t *weights = nullptr;   // [slots][slice_bytes] operand-format weight slices, one per thread
  int64_t slice_bytes = 0;      // bytes of one thread's slice
  int64_t max_slice_rows = 0;   // rows of a slice at most (fewer when slice_bytes holds fewer)
  uint32_t slots = 0;           // threads the scratch was carved for
  uint8_t *input = nullptr;     // [max batch][widest cols] bf16 input (unused for f32)
  int64_t input_bytes = 0;
  float *rows_f32 = nullptr;    // [slots][widest cols] f32 dequantization rows
  int64_t row_floats = 0;       // widest cols
};

// One thread's weight slice: 1 MiB (e.g. 256 bf16 rows of a 2048-wide matrix,
// 93 of a 5632-wide one), at most kPrefillMaxSliceRows rows, so that even the
// narrow matrices of small models (576 x 576) give every thread work.
// (docs/PERFORMANCE.md, "Prefill backends": the measured choice.)
constexpr uint64_t kPrefillSliceBytes = uint64_t{1} << 20;
constexpr int64_t kPrefillMaxSliceRows = 128;

// Bytes of the scratch for a model whose widest matmul row has `widest_cols`
// elements: threads x slice_bytes + bf16 input + threads f32 rows.
uint64_t prefill_scratch_bytes(uint64_t slice_bytes, uint32_t max_batch, uint64_t widest_cols, uint32_t threads);

// Carves the bytes at `base` into a PrefillScratch (the layout prefill_scratch_bytes counts).
PrefillScratch carve_prefill_scratch(uint8_t *base, uint64_t slice_bytes, uint32_t max_batch, uint64_t widest_cols,
                                     uint32_t threads);

// Rows of one slice of a matrix `cols` wide in `operand` format (0 when not
// even one row fits): min(slice_bytes / row bytes, max_slice_rows), a
// multiple of 16 when at least 16.
int64_t prefill_slice_rows(const PrefillScratch &scratch, int64_t cols, PrefillOperand operand);

// out [batch][rows] = in [batch][cols] x W^T with W [rows][cols] of `type` at
// `weights`. pool: nullptr (one thread) or the session's pool, whose
// threads() must not exceed scratch.slots nor the backend's callers.
Status backend_linear(PrefillBackend &backend, TensorType type, const void *weights, int64_t rows, int64_t cols,
                      const float *in, int64_t batch, float *out, const PrefillScratch &scratch, ThreadPool *pool);

}  // namespace ballast
