#include "kernels/matmul/matmul_scalar.h"

#include "kernels/matmul/dot_f32_scalar.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {
namespace {

using DequantizeFn = void (*)(const void *blocks, float *out, int64_t n);

// Elements dequantized at once: a whole number of blocks for every type.
constexpr int64_t kChunk = kQuantSuperBlock;

// One weight type: its dequantizer and block geometry, fixed at compile time
// so that the per-chunk call is direct.
template <DequantizeFn kDequantize, int64_t kBlockElements, int64_t kBlockBytes>
struct ScalarKernel {
  static_assert(kChunk % kBlockElements == 0, "chunks hold whole blocks");

  static int64_t row_bytes(int64_t cols) { return cols / kBlockElements * kBlockBytes; }

  static float dot(const float *a, const float *b, int64_t n) { return matmul_detail::dot_f32_lanes(a, b, n); }

  static float row_dot(const void *row, const float *x, int64_t cols) {
    const uint8_t *bytes = static_cast<const uint8_t *>(row);
    float weights[kChunk];  // one dequantized chunk of the row
    float sum = 0.0f;
    for (int64_t begin = 0; begin < cols; begin += kChunk) {
      const int64_t count = cols - begin < kChunk ? cols - begin : kChunk;
      kDequantize(bytes + begin / kBlockElements * kBlockBytes, weights, count);
      sum += dot(weights, x + begin, count);
    }
    return sum;
  }

  static void matvec(const void *w, const float *x, float *y, int64_t cols, int64_t row_begin, int64_t row_end) {
    const uint8_t *bytes = static_cast<const uint8_t *>(w);
    const int64_t stride = row_bytes(cols);
    for (int64_t r = row_begin; r < row_end; ++r) y[r] = row_dot(bytes + r * stride, x, cols);
  }

  // Each chunk of a row is dequantized once and used for the whole batch.
  static void matmul(const void *w, const float *x, float *y, int64_t rows, int64_t cols, int64_t batch,
                     int64_t row_begin, int64_t row_end) {
    const uint8_t *bytes = static_cast<const uint8_t *>(w);
    const int64_t stride = row_bytes(cols);
    float weights[kChunk];  // one dequantized chunk of row r
    for (int64_t r = row_begin; r < row_end; ++r) {
      const uint8_t *row = bytes + r * stride;
      for (int64_t b = 0; b < batch; ++b) y[b * rows + r] = 0.0f;
      for (int64_t begin = 0; begin < cols; begin += kChunk) {
        const int64_t count = cols - begin < kChunk ? cols - begin : kChunk;
        kDequantize(row + begin / kBlockElements * kBlockBytes, weights, count);
        for (int64_t b = 0; b < batch; ++b) y[b * rows + r] += dot(weights, x + b * cols + begin, count);
      }
    }
  }

  static constexpr MatmulKernels kernels() { return {row_dot, matvec, matmul}; }
};

struct TypedKernels {
  TensorType type;
  MatmulKernels kernels;
};

constexpr TypedKernels kScalarKernels[] = {
    {TensorType::f32, ScalarKernel<dequantize_row_f32, 1, 4>::kernels()},
    {TensorType::f16, ScalarKernel<dequantize_row_f16, 1, 2>::kernels()},
    {TensorType::bf16, ScalarKernel<dequantize_row_bf16, 1, 2>::kernels()},
    {TensorType::q8_0, ScalarKernel<dequantize_row_q8_0, kQuantBlock, sizeof(BlockQ8_0)>::kernels()},
    {TensorType::q4_0, ScalarKernel<dequantize_row_q4_0, kQuantBlock, sizeof(BlockQ4_0)>::kernels()},
    {TensorType::q4_1, ScalarKernel<dequantize_row_q4_1, kQuantBlock, sizeof(BlockQ4_1)>::kernels()},
    {TensorType::q5_0, ScalarKernel<dequantize_row_q5_0, kQuantBlock, sizeof(BlockQ5_0)>::kernels()},
    {TensorType::q5_1, ScalarKernel<dequantize_row_q5_1, kQuantBlock, sizeof(BlockQ5_1)>::kernels()},
    {TensorType::q4_k, ScalarKernel<dequantize_row_q4_k, kQuantSuperBlock, sizeof(BlockQ4_K)>::kernels()},
    {TensorType::q5_k, ScalarKernel<dequantize_row_q5_k, kQuantSuperBlock, sizeof(BlockQ5_K)>::kernels()},
    {TensorType::q6_k, ScalarKernel<dequantize_row_q6_k, kQuantSuperBlock, sizeof(BlockQ6_K)>::kernels()},
};

}  // namespace

const MatmulKernels *matmul_kernels_scalar(TensorType type) {
  for (const TypedKernels &entry : kScalarKernels) {
    if (entry.type == type) return &entry.kernels;
  }
  return nullptr;
}

}  // namespace ballast
