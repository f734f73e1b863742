#include "runtime/engine/linear_op.h"

#include "kernels/dispatch/kernel_table.h"

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
  return op;
}

Status linear(const LinearOp &op, const float *in, int64_t batch, float *out, uint8_t *converted, ThreadPool *pool,
              const PrefillScratch *prefill) {
  const WeightView &w = *op.weight;
  const int64_t rows = static_cast<int64_t>(w.rows);
  const int64_t cols = static_cast<int64_t>(w.cols);
  if (op.prefill_backend != nullptr && batch >= op.prefill_min_batch && batch >= 2 && prefill != nullptr) {
    return backend_linear(*op.prefill_backend, w.type, w.data, rows, cols, in, batch, out, *prefill, pool);
  }
  const void *x = in;
  if (op.kernels->activation != ActivationType::f32) {
    for (int64_t b = 0; b < batch; ++b) {
      op.kernels->quantize_activations(in + b * cols, converted + b * op.activation_row_bytes, cols);
    }
    x = converted;
  }
  const uint32_t threads = pool != nullptr ? pool->threads() : 1;
  if (threads == 1 || rows < 64) {
    op.kernels->matmul(w.data, x, out, rows, cols, batch, 0, rows);
    return Status::ok();
  }
  auto task = [&](uint32_t t) {
    int64_t begin = 0, end = 0;
    split_range(rows, threads, t, 16, &begin, &end);
    if (begin < end) op.kernels->matmul(w.data, x, out, rows, cols, batch, begin, end);
  };
  pool->run(threads, task);
  return Status::ok();
}

}  // namespace ballast
