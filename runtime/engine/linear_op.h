// One weight matrix bound to the matmul kernels for its type: the forward
// pass calls linear() for every projection. Activations are converted once per
// row into the format the weight type's dot product reads (f16/bf16 rows or
// Q8_0/Q8_1/Q8_K blocks, as llama.cpp's CPU backend does), into a buffer from
// the arena. A prefill chunk (batch >= 2) may instead go to the prefill
// backend the policy chose for this matrix (runtime/backends/).
#pragma once

#include <cstdint>

#include "kernels/matmul/matmul_q8_scalar.h"
#include "models/arch/model_weights.h"
#include "platform/status.h"
#include "runtime/backends/backend_linear.h"
#include "runtime/backends/prefill_backend.h"
#include "runtime/threading/thread_pool.h"

namespace ballast {

struct LinearOp {
  const WeightView *weight = nullptr;
  const QuantizedMatmulKernels *kernels = nullptr;
  int64_t activation_row_bytes = 0;  // bytes of one converted input row
  // What the native path runs: the kernels' own entries on weight->data, or
  // after repack_linear() the repacked entries on the session's copy.
  const void *matmul_weights = nullptr;
  ActivationType activation = ActivationType::f32;
  QuantizeActivationsFn quantize_activations = nullptr;
  QuantizedMatmulFn matmul = nullptr;
  const RepackedMatmulKernels *repacked = nullptr;  // non-null once running on a repacked copy
  PrefillBackend *prefill_backend = nullptr;  // chunks of >= prefill_min_batch go here when set (not owned)
  uint32_t prefill_min_batch = 2;             // >= 2: decode never goes to a backend
};

// Picks the kernels for `weight`'s type from the dispatch table
// (host_kernel_table(): the best variant the CPU and BALLAST_ISA allow); errors if none exist or the row
// length is not a whole number of the activation format's blocks.
Result<LinearOp> bind_linear(const WeightView &weight, const char *name);

// Bytes the op's weights take repacked (0 when its kernels have no repacked
// variant: it then runs on the file's bytes).
int64_t linear_repacked_bytes(const LinearOp &op);

// Copies the op's weights into `dst` (linear_repacked_bytes(op) bytes) in
// the kernels' repacked layout and switches the op's native path to it.
// drop_source_pages: the weights lie in a read-only file mapping whose pages
// may be dropped (drop_mapped_pages) slice by slice as they are copied, so
// the copy never holds a whole matrix twice in RSS.
Status repack_linear(LinearOp *op, uint8_t *dst, int64_t dst_bytes, bool drop_source_pages);

// out [batch][rows] = in [batch][cols] x W^T.
// converted: scratch of at least batch * op.activation_row_bytes bytes.
// pool: nullptr or the session's pool; the rows are split between its
// threads (the activations are converted once, before the split).
// prefill: the backend scratch; with batch >= op.prefill_min_batch and op.prefill_backend set,
// the backend computes the projection (errors come from it). Native otherwise.
// input_converted: `converted` already holds `in` converted by an op with
// the same input format (linear_same_input_format) and linear() converted
// it (linear_converts_input): the conversion is skipped (the forward pass's
// q/k/v and gate/up projections read the same rows).
Status linear(const LinearOp &op, const float *in, int64_t batch, float *out, uint8_t *converted,
              ThreadPool *pool = nullptr, const PrefillScratch *prefill = nullptr, bool input_converted = false);

// Several projections of the same input (q/k/v, gate/up): out_i [batch][rows_i]
// = in x W_i^T for i < n_ops (n_ops <= 4). When every op runs natively on
// the same input format, the input is converted once and ONE pool region
// computes them all, each thread taking the same row slice of each op that
// linear() would give it, so the results are linear()'s bits and the threads
// meet once instead of n_ops times. Otherwise linear() per op (reusing the
// conversion where the formats allow).
Status linear_shared_input(const LinearOp *const *ops, float *const *outs, int n_ops, const float *in, int64_t batch,
                           uint8_t *converted, ThreadPool *pool = nullptr, const PrefillScratch *prefill = nullptr);

// Whether linear(op, ..., batch, ..., prefill) converts its input into
// `converted` (false: it reads f32 rows, or a prefill backend takes them).
bool linear_converts_input(const LinearOp &op, int64_t batch, const PrefillScratch *prefill);
// Whether a and b convert an input row into the same bytes.
bool linear_same_input_format(const LinearOp &a, const LinearOp &b);

}  // namespace ballast
