// The decode (batch 1) matmul paths of every compiled SIMD variant: the
// 512-bit AVX-512 rows take two blocks per zmm with a 256-bit step for an odd
// last block (Q4_0, Q5_0, Q8_0, Q4_1, Q5_1) and 32 / 8 / 1-column steps (F16), so these sizes
// hit every block-count parity, column tails of every length, many blocks per
// row, and row ranges split at odd points (as threads split them).
//
// Checks, for every runnable variant and weight type:
//  - decode equals the variant's own row_dot bit for bit (the prefill kernels
//    rely on it: a prefilled token gets the decode logits exactly);
//  - on random quantized data, decode is within f32 accumulation-order error
//    (1e-5 of sum |w * x|) of the scalar reference;
//  - on exactly representable data (power-of-two scales, small integers,
//    including -128 Q8_0 bytes and zero scales), decode equals scalar bit for bit.
// Variants the CPU lacks are reported with MESSAGE as skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/dispatch/kernel_variants.h"
#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_type_traits.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

const int64_t kDecodeRowCounts[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 30};
// Blocks per row: odd and even counts (the 2-block zmm steps and the odd last
// block), SmolLM2's 576 columns (18), and long rows (8224 and 8288 columns).
const int64_t kDecodeBlockCounts[] = {1, 2, 3, 4, 5, 8, 9, 18, 257, 259};

int64_t decode_cols(TensorType type, int64_t blocks) {
  const int64_t be = quant_type_traits(type)->block_elements;
  return be == 1 ? 37 * blocks : be * blocks;  // float types: 37 columns per "block" (column tails of every length)
}

struct DecodeProblem {
  int64_t rows, cols;
  std::vector<uint8_t> weights;  // [rows][row_bytes]
  std::vector<uint8_t> x_q;      // [activation_row_bytes]
};

void put_u16(uint8_t *p, uint16_t v) { std::memcpy(p, &v, 2); }

// Random weights through the type's quantizer, random activations through the scalar converter.
DecodeProblem random_decode_problem(const QuantizedMatmulKernels &scalar, TensorType type, int64_t rows, int64_t cols,
                                    std::mt19937 &rng) {
  DecodeProblem p{rows, cols, {}, {}};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t row_bytes = quant_row_bytes(type, cols);
  p.weights.resize(static_cast<size_t>(rows * row_bytes));
  std::vector<float> row(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (float &v : row) v = normal(rng);
    quant_type_traits(type)->quantize_row(row.data(), p.weights.data() + r * row_bytes, cols);
  }
  for (float &v : row) v = 3.0f * normal(rng);
  p.x_q.resize(static_cast<size_t>(activation_row_bytes(scalar.activation, cols)));
  scalar.quantize_activations(row.data(), p.x_q.data(), cols);
  return p;
}

// Power-of-two scales (and some zero ones), raw quant bytes: every partial sum
// is an exactly representable f32. Only for the types the decode rows cover.
uint16_t exact_scale(std::mt19937 &rng) {
  const uint16_t scales[] = {0x3400, 0x3800, 0x3c00, 0x4000, 0xb800, 0x0000};  // 0.25 .. 2, -0.5, 0
  return scales[rng() % 6];
}

// 0.5, 1, -0.5, 0: weight scales and offsets of the 5-bit and Q4_1 formats,
// whose block sums reach 32 * 31 * 127 (a narrower exponent range keeps the
// partial sums within f32's 24 bits).
uint16_t small_exact_scale(std::mt19937 &rng) {
  const uint16_t scales[] = {0x3800, 0x3c00, 0xb800, 0x0000};
  return scales[rng() % 4];
}

bool has_min(TensorType type) { return type == TensorType::q4_1 || type == TensorType::q5_1; }

DecodeProblem exact_decode_problem(TensorType type, int64_t rows, int64_t cols, std::mt19937 &rng) {
  DecodeProblem p{rows, cols, {}, {}};
  const int64_t row_bytes = quant_row_bytes(type, cols);
  p.weights.resize(static_cast<size_t>(rows * row_bytes));
  for (uint8_t &byte : p.weights) byte = static_cast<uint8_t>(rng());
  if (type == TensorType::f16) {
    p.x_q.resize(static_cast<size_t>(2 * cols));
    for (int64_t i = 0; i < rows * cols; ++i) {
      put_u16(p.weights.data() + 2 * i, static_cast<uint16_t>((0x3c00 + (rng() % 8) * 0x400) ^ (rng() & 0x8000)));
    }
    for (int64_t c = 0; c < cols; ++c) put_u16(p.x_q.data() + 2 * c, static_cast<uint16_t>(0x3c00 + (rng() % 4) * 0x400));
    return p;
  }
  const int64_t block_bytes = quant_type_traits(type)->block_bytes;
  const bool small = type != TensorType::q4_0 && type != TensorType::q8_0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t blk = 0; blk < cols / 32; ++blk) {
      uint8_t *block = p.weights.data() + r * row_bytes + blk * block_bytes;
      put_u16(block, small ? small_exact_scale(rng) : exact_scale(rng));
      if (has_min(type)) put_u16(block + 2, small_exact_scale(rng));  // m
    }
  }
  // Q8_0 {d, qs[32]} or, for Q4_1 / Q5_1, Q8_1 {d, s, qs[32]} (s any power of two here).
  const int64_t x_block = has_min(type) ? sizeof(BlockQ8_1) : sizeof(BlockQ8_0);
  const int64_t x_qs = has_min(type) ? 4 : 2;
  p.x_q.resize(static_cast<size_t>(cols / 32 * x_block));
  for (int64_t blk = 0; blk < cols / 32; ++blk) {
    uint8_t *block = p.x_q.data() + blk * x_block;
    put_u16(block, exact_scale(rng));
    if (has_min(type)) put_u16(block + 2, exact_scale(rng));
    for (int i = 0; i < 32; ++i) block[x_qs + i] = static_cast<uint8_t>(static_cast<int>(rng() % 255) - 127);
  }
  return p;
}

// Decode over the rows in three ranges split at odd points (as threads might).
std::vector<float> decode(const QuantizedMatmulKernels &k, const DecodeProblem &p) {
  std::vector<float> y(static_cast<size_t>(p.rows), std::nanf(""));
  const int64_t cuts[] = {0, p.rows / 3, (2 * p.rows) / 3 + 1 < p.rows ? (2 * p.rows) / 3 + 1 : p.rows, p.rows};
  for (int i = 0; i < 3; ++i) k.matmul(p.weights.data(), p.x_q.data(), y.data(), p.rows, p.cols, 1, cuts[i], cuts[i + 1]);
  return y;
}

template <typename CheckFn>
void for_each_decode_variant(CheckFn check) {
  size_t n = 0;
  const MatmulVariant *variants = compiled_matmul_variants(&n);
  for (size_t i = 0; i < n; ++i) {
    const MatmulVariant &v = variants[i];
    if (std::string(v.name) == "scalar") continue;
    if (!v.cpu_supports(host_cpu_features())) {
      MESSAGE("skipped matmul variant " << std::string(v.name) << ": this CPU lacks it");
      continue;
    }
    for (TensorType type : {TensorType::q4_0, TensorType::q5_0, TensorType::q8_0, TensorType::q4_1, TensorType::q5_1,
                            TensorType::f16}) {
      const QuantizedMatmulKernels *k = v.kernels(type);
      if (k != nullptr) check(v, type, *k, *matmul_q8_kernels_scalar(type));
    }
  }
}

std::string decode_label(const MatmulVariant &v, TensorType type, const DecodeProblem &p) {
  return std::string(v.name) + " " + tensor_type_info(type)->name + " rows=" + std::to_string(p.rows) +
         " cols=" + std::to_string(p.cols);
}

}  // namespace

TEST_CASE("SIMD decode matmul equals the variant row_dot bit for bit and scalar within rounding") {
  std::mt19937 rng(2024);
  for_each_decode_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                              const QuantizedMatmulKernels &scalar) {
    for (int64_t rows : kDecodeRowCounts) {
      for (int64_t blocks : kDecodeBlockCounts) {
        const DecodeProblem p = random_decode_problem(scalar, type, rows, decode_cols(type, blocks), rng);
        const std::vector<float> got = decode(k, p);
        const std::vector<float> want = decode(scalar, p);
        const int64_t row_bytes = quant_row_bytes(type, p.cols);
        // The activations' values: Q8_0 / Q8_1 blocks or f16, the layouts of those weight types.
        std::vector<float> x(static_cast<size_t>(p.cols)), w(static_cast<size_t>(p.cols));
        if (scalar.activation == ActivationType::q8_1) {
          dequantize_row_q8_1(p.x_q.data(), x.data(), p.cols);
        } else {
          quant_type_traits(type == TensorType::f16 ? TensorType::f16 : TensorType::q8_0)
              ->dequantize_row(p.x_q.data(), x.data(), p.cols);
        }
        int not_row_dot = 0, off_scalar = 0;
        for (int64_t r = 0; r < rows; ++r) {
          if (got[r] != k.row_dot(p.weights.data() + r * row_bytes, p.x_q.data(), p.cols)) ++not_row_dot;
          quant_type_traits(type)->dequantize_row(p.weights.data() + r * row_bytes, w.data(), p.cols);
          double abs_sum = 0.0;  // sum |w * x|: the scale of f32 accumulation-order error
          for (int64_t c = 0; c < p.cols; ++c) abs_sum += std::fabs(double{w[c]} * x[c]);
          if (!(std::fabs(double{got[r]} - want[r]) <= 1e-5 * abs_sum + 1e-30)) ++off_scalar;
        }
        CHECK_MESSAGE(not_row_dot == 0, decode_label(v, type, p));
        CHECK_MESSAGE(off_scalar == 0, decode_label(v, type, p));
      }
    }
  });
}

TEST_CASE("SIMD decode matmul equals scalar exactly when every sum is exactly representable") {
  std::mt19937 rng(77);
  for_each_decode_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                              const QuantizedMatmulKernels &scalar) {
    for (int64_t rows : kDecodeRowCounts) {
      for (int64_t blocks : kDecodeBlockCounts) {
        if (blocks > 64) continue;  // partial sums stay below 2^24 (exact in f32) only for shorter rows
        const DecodeProblem p = exact_decode_problem(type, rows, decode_cols(type, blocks), rng);
        CHECK_MESSAGE(decode(k, p) == decode(scalar, p), decode_label(v, type, p));
      }
    }
  });
}
