#include "runtime/backends/backend_linear.h"

#include <algorithm>
#include <cstring>

#include "kernels/quant/quant_type_traits.h"

namespace ballast {
namespace {

constexpr uint64_t kAlign = 64;
uint64_t align_up(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// f32 -> bf16, round to nearest even (inputs here are finite).
void round_to_bf16(const float *src, uint16_t *dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &src[i], sizeof bits);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    dst[i] = static_cast<uint16_t>(bits >> 16);
  }
}

}  // namespace

uint64_t prefill_scratch_bytes(uint64_t weights_budget, uint32_t max_batch, uint64_t widest_cols, uint32_t threads) {
  return align_up(weights_budget) + align_up(uint64_t{max_batch} * widest_cols * 2) +
         align_up(uint64_t{threads} * widest_cols * 4);
}

PrefillScratch carve_prefill_scratch(uint8_t *base, uint64_t weights_budget, uint32_t max_batch, uint64_t widest_cols,
                                     uint32_t threads) {
  PrefillScratch s;
  s.weights = base;
  s.weight_bytes = static_cast<int64_t>(weights_budget);
  s.input = base + align_up(weights_budget);
  s.input_bytes = static_cast<int64_t>(uint64_t{max_batch} * widest_cols * 2);
  s.rows_f32 = reinterpret_cast<float *>(s.input + align_up(static_cast<uint64_t>(s.input_bytes)));
  s.row_floats = static_cast<int64_t>(widest_cols);
  return s;
}

Status backend_linear(PrefillBackend &backend, TensorType type, const void *weights, int64_t rows, int64_t cols,
                      const float *in, int64_t batch, float *out, const PrefillScratch &scratch, ThreadPool *pool) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  const PrefillOperand operand = backend.operand();
  const int64_t element_bytes = prefill_operand_bytes(operand);
  const int64_t chunk_rows = std::min<int64_t>(rows, scratch.weight_bytes / (cols * element_bytes));
  if (traits == nullptr || traits->dequantize_row == nullptr || chunk_rows < 1 || cols > scratch.row_floats) {
    return make_status(StatusCode::internal, "backend projection %lldx%lld of %s does not fit its scratch",
                       static_cast<long long>(rows), static_cast<long long>(cols), tensor_type_info(type)->name);
  }
  const void *input = in;
  if (operand == PrefillOperand::bf16) {
    if (batch * cols * 2 > scratch.input_bytes) return make_status(StatusCode::internal, "prefill input scratch too small");
    round_to_bf16(in, reinterpret_cast<uint16_t *>(scratch.input), batch * cols);
    input = scratch.input;
  }
  const int64_t row_bytes = quant_row_bytes(type, cols);
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const uint32_t threads = pool != nullptr ? pool->threads() : 1;
  for (int64_t r0 = 0; r0 < rows; r0 += chunk_rows) {
    const int64_t n = std::min(chunk_rows, rows - r0);
    auto convert = [&](uint32_t t) {
      int64_t begin = 0, end = 0;
      split_range(n, threads, t, 1, &begin, &end);
      float *row = scratch.rows_f32 + t * scratch.row_floats;
      for (int64_t r = begin; r < end; ++r) {
        const uint8_t *src = w + (r0 + r) * row_bytes;
        if (operand == PrefillOperand::f32) {
          traits->dequantize_row(src, reinterpret_cast<float *>(scratch.weights) + r * cols, cols);
        } else {
          traits->dequantize_row(src, row, cols);
          round_to_bf16(row, reinterpret_cast<uint16_t *>(scratch.weights) + r * cols, cols);
        }
      }
    };
    if (threads == 1) {
      convert(0);
    } else {
      pool->run(threads, convert);
    }
    PrefillMatmul m;
    m.in = input;
    m.weights = scratch.weights;
    m.out = out + r0;
    m.batch = batch;
    m.rows = n;
    m.cols = cols;
    m.out_stride = rows;
    BALLAST_RETURN_IF_ERROR(backend.matmul(m));
  }
  return Status::ok();
}

}  // namespace ballast
