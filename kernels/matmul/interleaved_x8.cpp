// Repacking into q4_0x8 / q5_0x8 / q8_0x8 and their scalar references (interleaved_x8.h).
#include "kernels/matmul/interleaved_x8.h"

#include <cmath>
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/float16.h"
#include "kernels/quant/quant_type_traits.h"

namespace ballast {
namespace {

constexpr int64_t kXBlock = sizeof(BlockQ8_0);  // 34: f16 d + 32 int8

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

// One layout: the plain block, the repacked block, how one row's block
// moves between the two, and the block integer of a plain block
// (sum_j u_j * xq_j with u_j the weight as the kernels take it, unsigned).
// The repacked chunk k of row i sits at 16 + 32k + 4i in q4_0x8 / q8_0x8 and
// at 48 + 32k + 4i in q5_0x8 (after the fifth-bit bytes).
struct Q4Layout {
  static constexpr int64_t kPlainBlock = sizeof(BlockQ4_0);  // 18
  static constexpr int64_t kBlock = kQ4_0x8BlockBytes;
  static constexpr int32_t kOffset = 8;
  static void pack_row(const uint8_t *plain, uint8_t *block, int64_t i) {
    std::memcpy(block + 2 * i, plain, 2);  // the scale
    for (int k = 0; k < 4; ++k) std::memcpy(block + 16 + 32 * k + 4 * i, plain + 2 + 4 * k, 4);
  }
  static void unpack_row(const uint8_t *block, int64_t i, uint8_t *plain) {
    std::memcpy(plain, block + 2 * i, 2);
    for (int k = 0; k < 4; ++k) std::memcpy(plain + 2 + 4 * k, block + 16 + 32 * k + 4 * i, 4);
  }
  static int32_t plain_isum(const uint8_t *plain, const int8_t *xq) {
    int32_t sum = 0;
    for (int j = 0; j < 16; ++j) sum += (plain[2 + j] & 0x0f) * xq[j] + (plain[2 + j] >> 4) * xq[16 + j];
    return sum;
  }
};

struct Q5Layout {
  static constexpr int64_t kPlainBlock = sizeof(BlockQ5_0);  // 22: d, qh[4], qs[16]
  static constexpr int64_t kBlock = kQ5_0x8BlockBytes;
  static constexpr int32_t kOffset = 16;
  // Element of unit m's byte j (the kernels' unit order, interleaved_x8.h).
  static int element(int m, int j) { return (m % 2) * 16 + (m / 2) * 4 + j; }
  static void pack_row(const uint8_t *plain, uint8_t *block, int64_t i) {
    std::memcpy(block + 2 * i, plain, 2);
    uint32_t qh;
    std::memcpy(&qh, plain + 2, 4);
    for (int j = 0; j < 4; ++j) {
      uint8_t fifth = 0;
      for (int m = 0; m < 8; ++m) fifth = static_cast<uint8_t>(fifth | ((qh >> element(m, j)) & 1u) << m);
      block[16 + 4 * i + j] = fifth;
    }
    for (int k = 0; k < 4; ++k) std::memcpy(block + 48 + 32 * k + 4 * i, plain + 6 + 4 * k, 4);
  }
  static void unpack_row(const uint8_t *block, int64_t i, uint8_t *plain) {
    std::memcpy(plain, block + 2 * i, 2);
    uint32_t qh = 0;
    for (int j = 0; j < 4; ++j) {
      for (int m = 0; m < 8; ++m) qh |= static_cast<uint32_t>((block[16 + 4 * i + j] >> m) & 1) << element(m, j);
    }
    std::memcpy(plain + 2, &qh, 4);
    for (int k = 0; k < 4; ++k) std::memcpy(plain + 6 + 4 * k, block + 48 + 32 * k + 4 * i, 4);
  }
  static int32_t plain_isum(const uint8_t *plain, const int8_t *xq) {
    uint32_t qh;
    std::memcpy(&qh, plain + 2, 4);
    int32_t sum = 0;
    for (int j = 0; j < 16; ++j) {
      const int32_t lo = (plain[6 + j] & 0x0f) | static_cast<int32_t>((qh >> j) & 1) << 4;
      const int32_t hi = (plain[6 + j] >> 4) | static_cast<int32_t>((qh >> (16 + j)) & 1) << 4;
      sum += lo * xq[j] + hi * xq[16 + j];
    }
    return sum;
  }
};

struct Q8Layout {
  static constexpr int64_t kPlainBlock = sizeof(BlockQ8_0);  // 34
  static constexpr int64_t kBlock = kQ8_0x8BlockBytes;
  static constexpr int32_t kOffset = 128;
  // Stored q + 128 (offset binary): flipping the sign bit is its own inverse.
  static void pack_row(const uint8_t *plain, uint8_t *block, int64_t i) {
    std::memcpy(block + 2 * i, plain, 2);
    for (int k = 0; k < 8; ++k) {
      for (int j = 0; j < 4; ++j) block[16 + 32 * k + 4 * i + j] = static_cast<uint8_t>(plain[2 + 4 * k + j] ^ 0x80);
    }
  }
  static void unpack_row(const uint8_t *block, int64_t i, uint8_t *plain) {
    std::memcpy(plain, block + 2 * i, 2);
    for (int k = 0; k < 8; ++k) {
      for (int j = 0; j < 4; ++j) plain[2 + 4 * k + j] = static_cast<uint8_t>(block[16 + 32 * k + 4 * i + j] ^ 0x80);
    }
  }
  static int32_t plain_isum(const uint8_t *plain, const int8_t *xq) {
    int32_t sum = 0;
    for (int j = 0; j < 32; ++j) sum += (plain[2 + j] ^ 0x80) * xq[j];
    return sum;
  }
};

template <typename L>
int64_t repacked_bytes(int64_t rows, int64_t cols) {
  return rows * (cols / kQuantBlock) * L::kPlainBlock;
}

template <typename L>
void repack(const void *weights, void *repacked, int64_t rows, int64_t cols) {
  const uint8_t *src = static_cast<const uint8_t *>(weights);
  uint8_t *dst = static_cast<uint8_t *>(repacked);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t row_bytes = blocks * L::kPlainBlock;
  const int64_t groups = rows / kInterleavedRows;
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t b = 0; b < blocks; ++b) {
      uint8_t *out = dst + (g * blocks + b) * L::kBlock;
      for (int64_t i = 0; i < kInterleavedRows; ++i) {
        L::pack_row(src + (g * kInterleavedRows + i) * row_bytes + b * L::kPlainBlock, out, i);
      }
    }
  }
  const int64_t tail_rows = rows - groups * kInterleavedRows;
  std::memcpy(dst + groups * kInterleavedRows * row_bytes, src + groups * kInterleavedRows * row_bytes,
              static_cast<size_t>(tail_rows * row_bytes));
}

float block_step(float acc, int32_t isum, uint16_t d_w, const uint8_t *bx) {
  return std::fma(static_cast<float>(isum), f16_to_f32(d_w) * f16_to_f32(load_u16(bx)), acc);
}

// A plain tail row: its quants taken unsigned the same way, so the integer is the same.
template <typename L>
float row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
  const int64_t blocks = cols / kQuantBlock;
  const uint8_t *sums = x_q + blocks * kXBlock;
  float acc = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *bw = row + b * L::kPlainBlock;
    const uint8_t *bx = x_q + b * kXBlock;
    const int32_t isum = L::plain_isum(bw, reinterpret_cast<const int8_t *>(bx + 2)) - L::kOffset * load_i16(sums + 2 * b);
    acc = block_step(acc, isum, load_u16(bw), bx);
  }
  return acc;
}

// Each group row unpacked to its file block, then the tail row's arithmetic.
template <typename L>
void matmul_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                   int64_t row_begin, int64_t row_end) {
  const uint8_t *w = static_cast<const uint8_t *>(repacked);
  const uint8_t *x = static_cast<const uint8_t *>(x_q);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t activation_row = activation_row_bytes(ActivationType::q8_0_sums, cols);
  const int64_t grouped_rows = rows / kInterleavedRows * kInterleavedRows;
  uint8_t plain[L::kPlainBlock];
  for (int64_t bt = 0; bt < batch; ++bt) {
    const uint8_t *xr = x + bt * activation_row;
    const uint8_t *sums = xr + blocks * kXBlock;
    for (int64_t r = row_begin; r < row_end; ++r) {
      float acc = 0.0f;
      if (r < grouped_rows) {
        const int64_t g = r / kInterleavedRows, i = r % kInterleavedRows;
        for (int64_t b = 0; b < blocks; ++b) {
          const uint8_t *bx = xr + b * kXBlock;
          L::unpack_row(w + (g * blocks + b) * L::kBlock, i, plain);
          const int32_t isum =
              L::plain_isum(plain, reinterpret_cast<const int8_t *>(bx + 2)) - L::kOffset * load_i16(sums + 2 * b);
          acc = block_step(acc, isum, load_u16(plain), bx);
        }
      } else {
        acc = row_dot_ordered<L>(w + r * blocks * L::kPlainBlock, xr, cols);
      }
      y[bt * rows + r] = acc;
    }
  }
}

// The file row `row` back from the copy (a group row, or a plain tail row),
// then the type's own dequantizer.
template <typename L>
void dequantize_row(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out, TensorType type) {
  const uint8_t *w = static_cast<const uint8_t *>(repacked);
  const int64_t blocks = cols / kQuantBlock;
  const int64_t grouped_rows = rows / kInterleavedRows * kInterleavedRows;
  const QuantTypeTraits *traits = quant_type_traits(type);
  if (row >= grouped_rows) {
    traits->dequantize_row(w + row * blocks * L::kPlainBlock, out, cols);
    return;
  }
  const int64_t g = row / kInterleavedRows, i = row % kInterleavedRows;
  uint8_t plain[L::kPlainBlock];
  for (int64_t b = 0; b < blocks; ++b) {
    L::unpack_row(w + (g * blocks + b) * L::kBlock, i, plain);
    traits->dequantize_row(plain, out + b * kQuantBlock, kQuantBlock);
  }
}

}  // namespace

void dequantize_row_q4_0x8(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out) {
  dequantize_row<Q4Layout>(repacked, rows, cols, row, out, TensorType::q4_0);
}
void dequantize_row_q5_0x8(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out) {
  dequantize_row<Q5Layout>(repacked, rows, cols, row, out, TensorType::q5_0);
}
void dequantize_row_q8_0x8(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out) {
  dequantize_row<Q8Layout>(repacked, rows, cols, row, out, TensorType::q8_0);
}

int64_t q4_0x8_repacked_bytes(int64_t rows, int64_t cols) { return repacked_bytes<Q4Layout>(rows, cols); }
int64_t q5_0x8_repacked_bytes(int64_t rows, int64_t cols) { return repacked_bytes<Q5Layout>(rows, cols); }
int64_t q8_0x8_repacked_bytes(int64_t rows, int64_t cols) { return repacked_bytes<Q8Layout>(rows, cols); }
void repack_q4_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols) {
  repack<Q4Layout>(weights, repacked, rows, cols);
}
void repack_q5_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols) {
  repack<Q5Layout>(weights, repacked, rows, cols);
}
void repack_q8_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols) {
  repack<Q8Layout>(weights, repacked, rows, cols);
}

float q4_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
  return row_dot_ordered<Q4Layout>(row, x_q, cols);
}
float q5_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
  return row_dot_ordered<Q5Layout>(row, x_q, cols);
}
float q8_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols) {
  return row_dot_ordered<Q8Layout>(row, x_q, cols);
}

void matmul_q4_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end) {
  matmul_scalar<Q4Layout>(repacked, x_q, y, rows, cols, batch, row_begin, row_end);
}
void matmul_q5_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end) {
  matmul_scalar<Q5Layout>(repacked, x_q, y, rows, cols, batch, row_begin, row_end);
}
void matmul_q8_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end) {
  matmul_scalar<Q8Layout>(repacked, x_q, y, rows, cols, batch, row_begin, row_end);
}

const RepackedMatmulKernels *q4_0x8_kernels_scalar() {
  static const RepackedMatmulKernels kernels = {"q4_0x8", q4_0x8_repacked_bytes, repack_q4_0x8, kInterleavedRows,
                                                ActivationType::q8_0_sums, quantize_activations_q8_0_sums,
                                                matmul_q4_0x8_scalar, dequantize_row_q4_0x8};
  return &kernels;
}

const RepackedMatmulKernels *q5_0x8_kernels_scalar() {
  static const RepackedMatmulKernels kernels = {"q5_0x8", q5_0x8_repacked_bytes, repack_q5_0x8, kInterleavedRows,
                                                ActivationType::q8_0_sums, quantize_activations_q8_0_sums,
                                                matmul_q5_0x8_scalar, dequantize_row_q5_0x8};
  return &kernels;
}

const RepackedMatmulKernels *q8_0x8_kernels_scalar() {
  static const RepackedMatmulKernels kernels = {"q8_0x8", q8_0x8_repacked_bytes, repack_q8_0x8, kInterleavedRows,
                                                ActivationType::q8_0_sums, quantize_activations_q8_0_sums,
                                                matmul_q8_0x8_scalar, dequantize_row_q8_0x8};
  return &kernels;
}

}  // namespace ballast
