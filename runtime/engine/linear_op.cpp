#include "runtime/engine/linear_op.h"

#include "kernels/dispatch/kernel_table.h"
#include "kernels/quant/quant_type_traits.h"
#include "platform/file_mapping.h"

namespace ballast {

Result<LinearOp> bind_linear(const WeightView &weight, const char *name) {
  LinearOp op;
  op.weight = &weight;
  BALLAST_ASSIGN_OR_RETURN(const KernelTable *table, host_kernel_table());
  op.kernels = table->matmul_kernels(weight.type);
  if (op.kernels == nullptr) {
    return make_status(StatusCode::unsupported, "no matmul kernels for %s weights (%s)", tensor_type_info(weight.type)->name,
                       name);
  }
  op.activation_row_bytes = activation_row_bytes(op.kernels->activation, static_cast<int64_t>(weight.cols));
  if (op.activation_row_bytes < 0) {
    return make_status(StatusCode::unsupported, "%s: row length %llu does not fit the %s activation blocks", name,
                       static_cast<unsigned long long>(weight.cols), activation_type_name(op.kernels->activation));
  }
  op.matmul_weights = weight.data;
  op.activation = op.kernels->activation;
  op.quantize_activations = op.kernels->quantize_activations;
  op.matmul = op.kernels->matmul;
  return op;
}

int64_t linear_repacked_bytes(const LinearOp &op) {
  const RepackedMatmulKernels *r = op.kernels != nullptr ? op.kernels->repacked : nullptr;
  if (r == nullptr || activation_row_bytes(r->activation, static_cast<int64_t>(op.weight->cols)) < 0) return 0;
  return r->repacked_bytes(static_cast<int64_t>(op.weight->rows), static_cast<int64_t>(op.weight->cols));
}

Status repack_linear(LinearOp *op, uint8_t *dst, int64_t dst_bytes, bool drop_source_pages) {
  const int64_t bytes = linear_repacked_bytes(*op);
  if (bytes == 0) return Status::ok();
  if (dst == nullptr || dst_bytes < bytes) {
    return make_status(StatusCode::internal, "repacked weights need %lld bytes, the region has %lld",
                       static_cast<long long>(bytes), static_cast<long long>(dst_bytes));
  }
  const RepackedMatmulKernels *r = op->kernels->repacked;
  const WeightView &w = *op->weight;
  // Slices of whole row groups, about kRepackSliceBytes each.
  constexpr int64_t kRepackSliceBytes = int64_t{1} << 20;
  const int64_t rows = static_cast<int64_t>(w.rows);
  const int64_t cols = static_cast<int64_t>(w.cols);
  const int64_t row_bytes = quant_row_bytes(w.type, cols);
  const int64_t group = r->row_group > 0 ? r->row_group : rows;
  int64_t slice_rows = kRepackSliceBytes / (row_bytes > 0 ? row_bytes : 1) / group * group;
  if (slice_rows < group) slice_rows = group;
  const uint8_t *src = static_cast<const uint8_t *>(w.data);
  for (int64_t r0 = 0; r0 < rows; r0 += slice_rows) {
    // The last slice takes the rest, so the tail rows stay with the last groups.
    const int64_t n = rows - r0 <= slice_rows + group ? rows - r0 : slice_rows;
    r->repack(src + r0 * row_bytes, dst + r0 * row_bytes, n, cols);
    // From the matrix start: a page the previous slice shared with this one goes now.
    if (drop_source_pages) drop_mapped_pages(src, static_cast<size_t>((r0 + n) * row_bytes));
    if (n == rows - r0) break;
  }
  op->matmul_weights = dst;
  op->activation = r->activation;
  op->activation_row_bytes = activation_row_bytes(r->activation, static_cast<int64_t>(w.cols));
  op->quantize_activations = r->quantize_activations;
  op->matmul = r->matmul;
  op->repacked = r;
  return Status::ok();
}

namespace {

bool goes_to_backend(const LinearOp &op, int64_t batch, const PrefillScratch *prefill) {
  return op.prefill_backend != nullptr && batch >= op.prefill_min_batch && batch >= 2 && prefill != nullptr;
}

// Matrices with fewer rows run on the calling thread alone.
constexpr int64_t kMinRowsToSplit = 64;

// Thread t's share of op's rows when `threads` split them: runs of 16 rows
// (two 8-row groups of the repacked layouts).
void matmul_slice(const LinearOp &op, const void *x, float *out, int64_t batch, uint32_t threads, uint32_t t) {
  const int64_t rows = static_cast<int64_t>(op.weight->rows);
  int64_t begin = 0, end = 0;
  split_range(rows, threads, t, 16, &begin, &end);
  if (begin < end) {
    op.matmul(op.matmul_weights, x, out, rows, static_cast<int64_t>(op.weight->cols), batch, begin, end);
  }
}

}  // namespace

bool linear_converts_input(const LinearOp &op, int64_t batch, const PrefillScratch *prefill) {
  return !goes_to_backend(op, batch, prefill) && op.activation != ActivationType::f32;
}

bool linear_same_input_format(const LinearOp &a, const LinearOp &b) {
  return a.activation == b.activation && a.quantize_activations == b.quantize_activations &&
         a.activation_row_bytes == b.activation_row_bytes && a.weight->cols == b.weight->cols;
}

Status linear(const LinearOp &op, const float *in, int64_t batch, float *out, uint8_t *converted, ThreadPool *pool,
              const PrefillScratch *prefill, bool input_converted) {
  const WeightView &w = *op.weight;
  const int64_t rows = static_cast<int64_t>(w.rows);
  const int64_t cols = static_cast<int64_t>(w.cols);
  if (goes_to_backend(op, batch, prefill)) {
    return backend_linear(*op.prefill_backend, w.type, w.data, rows, cols, in, batch, out, *prefill, pool);
  }
  const void *x = in;
  if (op.activation != ActivationType::f32) {
    if (!input_converted) {
      for (int64_t b = 0; b < batch; ++b) {
        op.quantize_activations(in + b * cols, converted + b * op.activation_row_bytes, cols);
      }
    }
    x = converted;
  }
  const uint32_t threads = pool != nullptr ? pool->threads() : 1;
  if (threads == 1 || rows < kMinRowsToSplit) {
    op.matmul(op.matmul_weights, x, out, rows, cols, batch, 0, rows);
    return Status::ok();
  }
  auto task = [&](uint32_t t) { matmul_slice(op, x, out, batch, threads, t); };
  pool->run(threads, task);
  return Status::ok();
}

Status linear_shared_input(const LinearOp *const *ops, float *const *outs, int n_ops, const float *in, int64_t batch,
                           uint8_t *converted, ThreadPool *pool, const PrefillScratch *prefill) {
  constexpr int kMaxOps = 4;
  if (n_ops < 1 || n_ops > kMaxOps) {
    return make_status(StatusCode::internal, "linear_shared_input: %d projections (1..%d)", n_ops, kMaxOps);
  }
  const uint32_t threads = pool != nullptr ? pool->threads() : 1;
  bool fused = threads > 1;
  for (int i = 0; i < n_ops && fused; ++i) {
    fused = !goes_to_backend(*ops[i], batch, prefill) && linear_same_input_format(*ops[0], *ops[i]);
  }
  if (!fused) {  // one op after the other, the conversion reused where it can be
    for (int i = 0; i < n_ops; ++i) {
      const bool reuse = i > 0 && linear_converts_input(*ops[i - 1], batch, prefill) &&
                         linear_converts_input(*ops[i], batch, prefill) &&
                         linear_same_input_format(*ops[i - 1], *ops[i]);
      BALLAST_RETURN_IF_ERROR(linear(*ops[i], in, batch, outs[i], converted, pool, prefill, reuse));
    }
    return Status::ok();
  }
  const int64_t cols = static_cast<int64_t>(ops[0]->weight->cols);
  const void *x = in;
  if (ops[0]->activation != ActivationType::f32) {
    for (int64_t b = 0; b < batch; ++b) {
      ops[0]->quantize_activations(in + b * cols, converted + b * ops[0]->activation_row_bytes, cols);
    }
    x = converted;
  }
  auto task = [&](uint32_t t) {
    for (int i = 0; i < n_ops; ++i) {
      const LinearOp &op = *ops[i];
      const int64_t rows = static_cast<int64_t>(op.weight->rows);
      if (rows < kMinRowsToSplit) {  // as linear(): a small matrix on one thread
        if (t == 0) op.matmul(op.matmul_weights, x, outs[i], rows, cols, batch, 0, rows);
      } else {
        matmul_slice(op, x, outs[i], batch, threads, t);
      }
    }
  };
  pool->run(threads, task);
  return Status::ok();
}

}  // namespace ballast
