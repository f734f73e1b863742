// Repacking into q4_0x8 and its scalar reference (q4_0_interleaved.h).
#include "kernels/matmul/q4_0_interleaved.h"

#include <cmath>
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/float16.h"

namespace ballast {
namespace {

constexpr int64_t kQ4Block = sizeof(BlockQ4_0);  // 18: f16 d + 16 packed bytes
constexpr int64_t kXBlock = sizeof(BlockQ8_0);   // 34: f16 d + 32 int8

uint16_t load_u16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

int16_t load_i16(const uint8_t *p) {
  int16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The block sums that follow the Q8_0 blocks of a q8_0_sums row.
const uint8_t *block_sums(const uint8_t *x_q, int64_t blocks) { return x_q + blocks * kXBlock; }

// sum_j nibble_j * xq_j over one block given as 16 packed bytes.
int32_t unsigned_nibble_dot(const uint8_t *qs /* [16] */, const int8_t *xq /* [32] */) {
  int32_t sum = 0;
  for (int j = 0; j < 16; ++j) sum += (qs[j] & 0x0f) * xq[j] + (qs[j] >> 4) * xq[j + 16];
  return sum;
}

}  // namespace

int64_t q4_0x8_repacked_bytes(int64_t rows, int64_t cols) { return rows * (cols / kQuantBlock) * kQ4Block; }

void repack_q4_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols) {
  const uint8_t *src = static_cast<const uint8_t *>(weights);
  uint8_t *dst = static_cast<uint8_t *>(repacked);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t row_bytes = blocks * kQ4Block;
  const int64_t groups = rows / kQ4_0x8Rows;
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t b = 0; b < blocks; ++b) {
      uint8_t *out = dst + (g * blocks + b) * kQ4_0x8BlockBytes;  // [144]
      for (int64_t i = 0; i < kQ4_0x8Rows; ++i) {
        const uint8_t *block = src + (g * kQ4_0x8Rows + i) * row_bytes + b * kQ4Block;
        std::memcpy(out + 2 * i, block, 2);  // scale
        for (int k = 0; k < 4; ++k) std::memcpy(out + 16 + 32 * k + 4 * i, block + 2 + 4 * k, 4);
      }
    }
  }
  const int64_t tail_rows = rows - groups * kQ4_0x8Rows;
  std::memcpy(dst + groups * kQ4_0x8Rows * row_bytes, src + groups * kQ4_0x8Rows * row_bytes,
              static_cast<size_t>(tail_rows * row_bytes));
}

float q4_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
  const int64_t blocks = cols / kQuantBlock;
  const uint8_t *sums = block_sums(x_q, blocks);
  float acc = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = row + b * kQ4Block;
    const uint8_t *bx = x_q + b * kXBlock;
    const int32_t isum =
        unsigned_nibble_dot(bw + 2, reinterpret_cast<const int8_t *>(bx + 2)) - 8 * load_i16(sums + 2 * b);
    acc = std::fma(static_cast<float>(isum), f16_to_f32(load_u16(bw)) * f16_to_f32(load_u16(bx)), acc);
  }
  return acc;
}

void matmul_q4_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end) {
  const uint8_t *w = static_cast<const uint8_t *>(repacked);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t activation_row = activation_row_bytes(ActivationType::q8_0_sums, cols);
  const int64_t grouped_rows = rows / kQ4_0x8Rows * kQ4_0x8Rows;
  for (int64_t bt = 0; bt < batch; ++bt) {
    const uint8_t *xr = x + bt * activation_row;
    const uint8_t *sums = block_sums(xr, blocks);
    for (int64_t r = row_begin; r < row_end; ++r) {
      float acc = 0.0f;
      if (r < grouped_rows) {
        const int64_t g = r / kQ4_0x8Rows, i = r % kQ4_0x8Rows;
        for (int64_t b = 0; b < blocks; ++b) {
          const uint8_t *block = w + (g * blocks + b) * kQ4_0x8BlockBytes;
          uint8_t qs[16];
          for (int k = 0; k < 4; ++k) std::memcpy(qs + 4 * k, block + 16 + 32 * k + 4 * i, 4);
          const uint8_t *bx = xr + b * kXBlock;
          const int32_t isum =
              unsigned_nibble_dot(qs, reinterpret_cast<const int8_t *>(bx + 2)) - 8 * load_i16(sums + 2 * b);
          acc = std::fma(static_cast<float>(isum), f16_to_f32(load_u16(block + 2 * i)) * f16_to_f32(load_u16(bx)), acc);
        }
      } else {
        acc = q4_0_row_dot_ordered(w + r * blocks * kQ4Block, xr, cols);
      }
      y[bt * rows + r] = acc;
    }
  }
}

const RepackedMatmulKernels *q4_0x8_kernels_scalar() {
  static const RepackedMatmulKernels kernels = {"q4_0x8", q4_0x8_repacked_bytes, repack_q4_0x8, kQ4_0x8Rows,
                                                ActivationType::q8_0_sums, quantize_activations_q8_0_sums,
                                                matmul_q4_0x8_scalar};
  return &kernels;
}

}  // namespace ballast
