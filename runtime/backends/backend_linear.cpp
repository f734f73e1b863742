#include "runtime/backends/backend_linear.h"

#include <algorithm>
#include <atomic>
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

uint64_t prefill_scratch_bytes(uint64_t slice_bytes, uint32_t max_batch, uint64_t widest_cols, uint32_t threads) {
  return uint64_t{threads} * align_up(slice_bytes) + align_up(uint64_t{max_batch} * widest_cols * 2) +
         align_up(uint64_t{threads} * widest_cols * 4);
}

PrefillScratch carve_prefill_scratch(uint8_t *base, uint64_t slice_bytes, uint32_t max_batch, uint64_t widest_cols,
                                     uint32_t threads) {
  PrefillScratch s;
  s.weights = base;
  s.slice_bytes = static_cast<int64_t>(align_up(slice_bytes));
  s.max_slice_rows = kPrefillMaxSliceRows;
  s.slots = threads;
  s.input = base + uint64_t{threads} * align_up(slice_bytes);
  s.input_bytes = static_cast<int64_t>(uint64_t{max_batch} * widest_cols * 2);
  s.rows_f32 = reinterpret_cast<float *>(s.input + align_up(static_cast<uint64_t>(s.input_bytes)));
  s.row_floats = static_cast<int64_t>(widest_cols);
  return s;
}

int64_t prefill_slice_rows(const PrefillScratch &scratch, int64_t cols, PrefillOperand operand) {
  int64_t n = std::min(scratch.max_slice_rows, scratch.slice_bytes / (cols * prefill_operand_bytes(operand)));
  if (n >= 16) n -= n % 16;
  return n;
}

Status backend_linear(PrefillBackend &backend, TensorType type, const void *weights, int64_t rows, int64_t cols,
                      const float *in, int64_t batch, float *out, const PrefillScratch &scratch, ThreadPool *pool) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  const PrefillOperand operand = backend.operand();
  const int64_t slice_rows = prefill_slice_rows(scratch, cols, operand);
  const uint32_t threads = pool != nullptr ? pool->threads() : 1;
  if (traits == nullptr || traits->dequantize_row == nullptr || slice_rows < 1 || cols > scratch.row_floats ||
      threads > scratch.slots || threads > backend.callers()) {
    return make_status(StatusCode::internal, "backend projection %lldx%lld of %s on %u threads does not fit its scratch",
                       static_cast<long long>(rows), static_cast<long long>(cols), tensor_type_info(type)->name, threads);
  }
  const void *input = in;
  if (operand == PrefillOperand::bf16) {
    if (batch * cols * 2 > scratch.input_bytes) return make_status(StatusCode::internal, "prefill input scratch too small");
    uint16_t *input_bf16 = reinterpret_cast<uint16_t *>(scratch.input);
    auto round_input = [&](uint32_t t) {
      int64_t begin = 0, end = 0;
      split_range(batch, threads, t, 1, &begin, &end);
      round_to_bf16(in + begin * cols, input_bf16 + begin * cols, (end - begin) * cols);
    };
    if (threads == 1) {
      round_input(0);
    } else {
      pool->run(threads, round_input);
    }
    input = input_bf16;
  }

  const int64_t row_bytes = quant_row_bytes(type, cols);
  const uint8_t *w = static_cast<const uint8_t *>(weights);
  const int64_t n_slices = (rows + slice_rows - 1) / slice_rows;
  std::atomic<int64_t> next_slice{0};
  // The first error of any thread (slices after it are skipped).
  std::atomic<bool> failed{false};
  Status first_error = Status::ok();
  std::atomic_flag error_claimed = ATOMIC_FLAG_INIT;
  // Task t uses scratch slot t and backend worker t; slices are handed out
  // dynamically (a descheduled thread on a shared machine does not hold the
  // others back), which changes who computes a slice, never how.
  auto work = [&](uint32_t t) {
    uint8_t *slice = scratch.weights + int64_t{t} * scratch.slice_bytes;
    float *row = scratch.rows_f32 + int64_t{t} * scratch.row_floats;
    for (int64_t s = next_slice.fetch_add(1); s < n_slices && !failed.load(std::memory_order_relaxed);
         s = next_slice.fetch_add(1)) {
      const int64_t r0 = s * slice_rows;
      const int64_t n = std::min(slice_rows, rows - r0);
      for (int64_t r = 0; r < n; ++r) {
        const uint8_t *src = w + (r0 + r) * row_bytes;
        if (operand == PrefillOperand::f32) {
          traits->dequantize_row(src, reinterpret_cast<float *>(slice) + r * cols, cols);
        } else {
          traits->dequantize_row(src, row, cols);
          round_to_bf16(row, reinterpret_cast<uint16_t *>(slice) + r * cols, cols);
        }
      }
      PrefillMatmul m;
      m.in = input;
      m.weights = slice;
      m.out = out + r0;
      m.batch = batch;
      m.rows = n;
      m.cols = cols;
      m.out_stride = rows;
      m.worker = t;
      Status status = backend.matmul(m);
      if (!status.is_ok()) {
        if (!error_claimed.test_and_set()) first_error = std::move(status);
        failed.store(true);
      }
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    pool->run(threads, work);
  }
  return first_error;
}

}  // namespace ballast
