// Every compiled matmul variant against the scalar reference, for every weight
// type it covers, on awkward sizes: 1 / 3 / 17 / 67 rows (not a multiple of
// any tile), 1 / 3 / 7 blocks per row, batch 1 and 5, and row ranges that
// split the matrix like the thread pool does.
//
// Two kinds of data:
//  - random weights quantized by the scalar quantizers, random activations:
//    results agree to f32 accumulation-order error (1e-5 of sum |w*x|);
//  - "exact" data: raw random quant bytes with power-of-two block scales and
//    small integers, where every partial sum is exactly representable, so
//    the variant must reproduce the scalar result bit for bit (this is the
//    "integer dots equal per block" check, including -128 weight bytes).
// Variants the CPU lacks are reported with MESSAGE as skipped. Test-only
// twins (matmul_test_twins.h: the avxvnni kernels with EVEX vpdpbusd) run
// here like compiled variants.
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
#include "kernels/quant/quant_rows.h"
#include "kernels/quant/quant_type_traits.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"
#include "tests/kernels_simd/matmul_test_twins.h"

using namespace ballast;

namespace {

const int64_t kRowCounts[] = {1, 3, 17, 67};
const int64_t kBlockCounts[] = {1, 3, 7};
const int64_t kBatches[] = {1, 5};

int64_t block_elements(TensorType type) { return quant_type_traits(type)->block_elements; }

// Columns per row for `blocks` blocks; float types use an odd width so the
// 8/32-wide loops have tails.
int64_t cols_for(TensorType type, int64_t blocks) {
  const int64_t be = block_elements(type);
  return be == 1 ? 37 * blocks : be * blocks;
}

// Dequantized activation row (what the converted bytes mean), for the bound.
std::vector<float> activation_values(ActivationType a, const std::vector<uint8_t> &x_q, const float *x, int64_t cols) {
  std::vector<float> out(static_cast<size_t>(cols));
  switch (a) {
    case ActivationType::f32: std::memcpy(out.data(), x, out.size() * sizeof(float)); break;
    case ActivationType::f16: quant_type_traits(TensorType::f16)->dequantize_row(x_q.data(), out.data(), cols); break;
    case ActivationType::bf16: quant_type_traits(TensorType::bf16)->dequantize_row(x_q.data(), out.data(), cols); break;
    case ActivationType::q8_0:
    case ActivationType::q8_0_sums:  // the Q8_0 blocks come first
      quant_type_traits(TensorType::q8_0)->dequantize_row(x_q.data(), out.data(), cols);
      break;
    case ActivationType::q8_k: dequantize_row_q8_k(x_q.data(), out.data(), cols); break;
    case ActivationType::q8_1: dequantize_row_q8_1(x_q.data(), out.data(), cols); break;
  }
  return out;
}

struct Problem {
  TensorType type;
  int64_t rows, cols, batch;
  std::vector<uint8_t> weights;  // [rows][row_bytes]
  std::vector<uint8_t> x_q;      // [batch][activation_row_bytes]
  std::vector<double> abs_sum;   // [batch][rows] sum |w * x| (error scale)
};

Problem random_problem(const QuantizedMatmulKernels &scalar, TensorType type, int64_t rows, int64_t cols,
                       int64_t batch, std::mt19937 &rng) {
  Problem p{type, rows, cols, batch, {}, {}, {}};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const QuantTypeTraits *traits = quant_type_traits(type);
  const int64_t row_bytes = quant_row_bytes(type, cols);
  p.weights.resize(static_cast<size_t>(rows * row_bytes));
  std::vector<float> w_values(static_cast<size_t>(rows * cols));
  std::vector<float> row(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (float &v : row) v = normal(rng) * 0.5f;
    traits->quantize_row(row.data(), p.weights.data() + r * row_bytes, cols);
    traits->dequantize_row(p.weights.data() + r * row_bytes, w_values.data() + r * cols, cols);
  }
  const int64_t a_bytes = activation_row_bytes(scalar.activation, cols);
  p.x_q.resize(static_cast<size_t>(batch * a_bytes));
  p.abs_sum.assign(static_cast<size_t>(batch * rows), 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    for (float &v : row) v = normal(rng) * 2.0f;
    std::vector<uint8_t> converted(static_cast<size_t>(a_bytes));
    scalar.quantize_activations(row.data(), converted.data(), cols);
    std::memcpy(p.x_q.data() + b * a_bytes, converted.data(), converted.size());
    const std::vector<float> x_values = activation_values(scalar.activation, converted, row.data(), cols);
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0.0;
      for (int64_t c = 0; c < cols; ++c) sum += std::fabs(double{w_values[r * cols + c]} * x_values[c]);
      p.abs_sum[b * rows + r] = sum;
    }
  }
  return p;
}

// ---- exact data: raw quants, power-of-two scales --------------------------------

void put_u16(uint8_t *p, uint16_t v) { std::memcpy(p, &v, 2); }
void put_f32(uint8_t *p, float v) { std::memcpy(p, &v, 4); }

uint16_t power_of_two_f16(std::mt19937 &rng) {
  const uint16_t exponents[] = {0x3400, 0x3800, 0x3c00, 0x4000, 0xb800, 0xbc00};  // 0.25 .. 2, and negatives
  return exponents[rng() % 6];
}

// +-0.5 and +-1: the Q5 / Q4_1 weight scales and offsets. Their block sums
// reach 32 * 31 * 127 (17 bits), so a narrower exponent range than
// power_of_two_f16's keeps every partial sum within f32's 24 bits.
uint16_t small_power_of_two_f16(std::mt19937 &rng) {
  const uint16_t exponents[] = {0x3800, 0x3c00, 0xb800, 0xbc00};
  return exponents[rng() % 4];
}

Problem exact_problem(TensorType type, int64_t rows, int64_t cols, int64_t batch, ActivationType activation,
                      std::mt19937 &rng) {
  Problem p{type, rows, cols, batch, {}, {}, {}};
  const int64_t row_bytes = quant_row_bytes(type, cols);
  p.weights.resize(static_cast<size_t>(rows * row_bytes));
  for (uint8_t &byte : p.weights) byte = static_cast<uint8_t>(rng());
  const int64_t be = block_elements(type);
  const int64_t bb = quant_type_traits(type)->block_bytes;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t blk = 0; blk < cols / be; ++blk) {
      uint8_t *block = p.weights.data() + r * row_bytes + blk * bb;
      switch (type) {
        case TensorType::q8_0:
        case TensorType::q4_0: put_u16(block, power_of_two_f16(rng)); break;
        case TensorType::q5_0: put_u16(block, small_power_of_two_f16(rng)); break;
        case TensorType::q4_1:
        case TensorType::q5_1:
          put_u16(block, small_power_of_two_f16(rng));
          put_u16(block + 2, small_power_of_two_f16(rng));
          break;
        case TensorType::q4_k:
        case TensorType::q5_k:
          put_u16(block, power_of_two_f16(rng));
          put_u16(block + 2, power_of_two_f16(rng));
          for (int i = 0; i < 12; ++i) block[4 + i] &= 0x87;  // scales/mins <= 7 (sums stay below 2^24)
          break;
        case TensorType::q6_k:
          for (int i = 0; i < 16; ++i) block[192 + i] = static_cast<uint8_t>(static_cast<int>(rng() % 9) - 4);
          put_u16(block + 208, power_of_two_f16(rng));
          break;
        case TensorType::f16: put_u16(block, static_cast<uint16_t>(0x3c00 + (rng() % 8) * 0x400) ^ (rng() & 0x8000)); break;
        case TensorType::bf16: put_u16(block, static_cast<uint16_t>(0x3f80 + (rng() % 4) * 0x80) ^ (rng() & 0x8000)); break;
        case TensorType::f32: put_f32(block, static_cast<float>(static_cast<int>(rng() % 17) - 8)); break;
        default: break;
      }
    }
  }
  const int64_t a_bytes = activation_row_bytes(activation, cols);
  p.x_q.resize(static_cast<size_t>(batch * a_bytes));
  for (int64_t b = 0; b < batch; ++b) {
    uint8_t *x = p.x_q.data() + b * a_bytes;
    switch (activation) {
      case ActivationType::q8_0:
        for (int64_t blk = 0; blk < cols / 32; ++blk) {
          uint8_t *block = x + blk * sizeof(BlockQ8_0);
          put_u16(block, power_of_two_f16(rng));
          for (int i = 0; i < 32; ++i) block[2 + i] = static_cast<uint8_t>(static_cast<int>(rng() % 255) - 127);
        }
        break;
      case ActivationType::q8_k:
        for (int64_t blk = 0; blk < cols / 256; ++blk) {
          BlockQ8_K block;
          block.d = rng() % 2 ? 0.5f : 1.0f;
          for (int i = 0; i < 256; ++i) block.qs[i] = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
          for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int i = 0; i < 16; ++i) sum += block.qs[16 * g + i];
            block.bsums[g] = static_cast<int16_t>(sum);
          }
          std::memcpy(x + blk * sizeof(BlockQ8_K), &block, sizeof block);
        }
        break;
      case ActivationType::f16:
        for (int64_t c = 0; c < cols; ++c) put_u16(x + 2 * c, static_cast<uint16_t>(0x3c00 + (rng() % 4) * 0x400));
        break;
      case ActivationType::bf16:
        for (int64_t c = 0; c < cols; ++c) put_u16(x + 2 * c, static_cast<uint16_t>(0x3f80 + (rng() % 4) * 0x80));
        break;
      case ActivationType::f32:
        for (int64_t c = 0; c < cols; ++c) put_f32(x + 4 * c, static_cast<float>(static_cast<int>(rng() % 9) - 4));
        break;
      case ActivationType::q8_1:  // d and s independent powers of two (s need not be d * sum here)
        for (int64_t blk = 0; blk < cols / 32; ++blk) {
          uint8_t *block = x + blk * sizeof(BlockQ8_1);
          put_u16(block, power_of_two_f16(rng));
          put_u16(block + 2, power_of_two_f16(rng));
          for (int i = 0; i < 32; ++i) block[4 + i] = static_cast<uint8_t>(static_cast<int>(rng() % 255) - 127);
        }
        break;
      case ActivationType::q8_0_sums: break;
    }
  }
  return p;
}

// Runs `kernels` over p in two row ranges (as two threads would), batch-major output.
std::vector<float> run_matmul(const QuantizedMatmulKernels &kernels, const Problem &p) {
  std::vector<float> y(static_cast<size_t>(p.batch * p.rows), std::nanf(""));
  const int64_t split = p.rows / 2;
  kernels.matmul(p.weights.data(), p.x_q.data(), y.data(), p.rows, p.cols, p.batch, 0, split);
  kernels.matmul(p.weights.data(), p.x_q.data(), y.data(), p.rows, p.cols, p.batch, split, p.rows);
  return y;
}

std::string label(const MatmulVariant &v, TensorType type, const Problem &p) {
  return std::string(v.name) + " " + tensor_type_info(type)->name + " rows=" + std::to_string(p.rows) +
         " cols=" + std::to_string(p.cols) + " batch=" + std::to_string(p.batch);
}

// Every compiled variant and test twin (matmul_test_twins.h) the CPU runs.
template <typename CheckFn>
void for_each_runnable_variant(CheckFn check) {
  int runnable = 0;
  for (const MatmulVariant &v : matmul_variants_under_test()) {
    if (std::string(v.name) == "scalar") continue;
    if (!v.cpu_supports(host_cpu_features())) {
      MESSAGE("skipped matmul variant " << std::string(v.name) << ": this CPU lacks it");
      continue;
    }
    ++runnable;
    for (TensorType type : kMatmulWeightTypes) {
      const QuantizedMatmulKernels *k = v.kernels(type);
      if (k == nullptr) continue;
      check(v, type, *k, *matmul_q8_kernels_scalar(type));
    }
  }
  if (runnable == 0) WARN_MESSAGE(false, "no SIMD matmul variant runs on this machine: only scalar was tested");
}

}  // namespace

// ARM builds must carry the ARM variants (so the tests below exercise them on
// every emulated or real CPU that has them): neon on aarch64 and armv7,
// dotprod and i8mm on aarch64, each covering every matmul weight type.
TEST_CASE("ARM builds compile the neon and dotprod and i8mm matmul variants") {
#if defined(__aarch64__) || defined(__arm__)
  struct Expected {
    const char *name;
    IsaLevel level;
  };
  std::vector<Expected> expected = {{"neon", IsaLevel::neon}};
#if defined(__aarch64__)
  expected.push_back({"dotprod", IsaLevel::dotprod});
  expected.push_back({"i8mm", IsaLevel::i8mm});
#endif
  size_t n = 0;
  const MatmulVariant *variants = compiled_matmul_variants(&n);
  for (const Expected &e : expected) {
    CAPTURE(e.name);
    const MatmulVariant *found = nullptr;
    for (size_t i = 0; i < n; ++i) {
      if (std::string(variants[i].name) == e.name) found = &variants[i];
    }
    REQUIRE(found != nullptr);
    CHECK(found->level == e.level);
    for (TensorType type : kMatmulWeightTypes) {
      CAPTURE(tensor_type_info(type)->name);
      CHECK(found->kernels(type) != nullptr);
    }
    if (!found->cpu_supports(host_cpu_features())) MESSAGE("matmul variant " << std::string(e.name) << " compiled, CPU lacks it");
  }
#else
  MESSAGE("skipped: not an ARM build");
#endif
}

TEST_CASE("SIMD matmul variants read the same activation format and bytes as scalar") {
  std::mt19937 rng(7);
  for_each_runnable_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                                const QuantizedMatmulKernels &scalar) {
    CAPTURE(v.name);
    CAPTURE(tensor_type_info(type)->name);
    REQUIRE(k.activation == scalar.activation);
    const int64_t cols = cols_for(type, 7);
    std::vector<float> x(static_cast<size_t>(cols));
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (float &value : x) value = normal(rng);
    const int64_t bytes = activation_row_bytes(k.activation, cols);
    std::vector<uint8_t> a(static_cast<size_t>(bytes)), b(static_cast<size_t>(bytes));
    k.quantize_activations(x.data(), a.data(), cols);
    scalar.quantize_activations(x.data(), b.data(), cols);
    CHECK(a == b);
  });
}

TEST_CASE("SIMD matmul variants match scalar on random quantized data within accumulation-order error") {
  std::mt19937 rng(1234);
  for_each_runnable_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                                const QuantizedMatmulKernels &scalar) {
    for (int64_t rows : kRowCounts) {
      for (int64_t blocks : kBlockCounts) {
        for (int64_t batch : kBatches) {
          const Problem p = random_problem(scalar, type, rows, cols_for(type, blocks), batch, rng);
          const std::vector<float> want = run_matmul(scalar, p);
          const std::vector<float> got = run_matmul(k, p);
          int bad = 0;
          for (size_t i = 0; i < want.size(); ++i) {
            const double tolerance = 1e-5 * p.abs_sum[i] + 1e-30;
            if (!(std::fabs(double{got[i]} - want[i]) <= tolerance)) {
              if (bad++ == 0) FAIL_CHECK(label(v, type, p) << " at " << i << ": " << got[i] << " vs " << want[i]);
            }
          }
          CHECK_MESSAGE(bad == 0, label(v, type, p));
          // row_dot agrees with matmul's first entry
          const int64_t row_bytes = quant_row_bytes(type, p.cols);
          CHECK(std::fabs(double{k.row_dot(p.weights.data() + (p.rows - 1) * row_bytes, p.x_q.data(), p.cols)} -
                          want[p.rows - 1]) <= 1e-5 * p.abs_sum[p.rows - 1] + 1e-30);
        }
      }
    }
  });
}

TEST_CASE("SIMD matmul variants equal scalar exactly when every sum is exactly representable") {
  std::mt19937 rng(99);
  for_each_runnable_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                                const QuantizedMatmulKernels &scalar) {
    for (int64_t rows : kRowCounts) {
      for (int64_t blocks : kBlockCounts) {
        for (int64_t batch : kBatches) {
          const Problem p = exact_problem(type, rows, cols_for(type, blocks), batch, scalar.activation, rng);
          const std::vector<float> want = run_matmul(scalar, p);
          const std::vector<float> got = run_matmul(k, p);
          int bad = 0;
          for (size_t i = 0; i < want.size(); ++i) {
            if (got[i] != want[i] && bad++ == 0) {
              FAIL_CHECK(label(v, type, p) << " at " << i << ": " << got[i] << " vs " << want[i]);
            }
          }
          CHECK_MESSAGE(bad == 0, label(v, type, p));
        }
      }
    }
  });
}

TEST_CASE("SIMD batched matmul gives bit-identical results to single-row dots") {
  std::mt19937 rng(5);
  for_each_runnable_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                                const QuantizedMatmulKernels &scalar) {
    for (int64_t batch : {4, 5, 9}) {
      const Problem p = random_problem(scalar, type, 13, cols_for(type, 3), batch, rng);
      const std::vector<float> got = run_matmul(k, p);
      const int64_t row_bytes = quant_row_bytes(type, p.cols);
      const int64_t a_bytes = activation_row_bytes(k.activation, p.cols);
      int bad = 0;
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t r = 0; r < p.rows; ++r) {
          const float single = k.row_dot(p.weights.data() + r * row_bytes, p.x_q.data() + b * a_bytes, p.cols);
          if (single != got[b * p.rows + r]) ++bad;
        }
      }
      CHECK_MESSAGE(bad == 0, label(v, type, p));
    }
  });
}

// The tiled batched (prefill) kernels: 4 weight rows x 4 activation rows per
// tile with row and batch tails, so the batch and row counts below hit every
// tail shape (odd batch, pairs without a full tile, rows past the last band),
// with row ranges starting off the band grid (run_matmul splits at rows / 2).
TEST_CASE("SIMD batched matmul tiles equal single-row dots and scalar for awkward batch sizes") {
  std::mt19937 rng(11);
  for_each_runnable_variant([&](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                                const QuantizedMatmulKernels &scalar) {
    for (int64_t batch : {1, 2, 3, 8, 17, 64}) {
      for (int64_t rows : {1, 6, 13}) {
        const Problem p = random_problem(scalar, type, rows, cols_for(type, 3), batch, rng);
        const std::vector<float> got = run_matmul(k, p);
        const int64_t row_bytes = quant_row_bytes(type, p.cols);
        const int64_t a_bytes = activation_row_bytes(k.activation, p.cols);
        int bad = 0;
        for (int64_t b = 0; b < batch; ++b) {
          for (int64_t r = 0; r < p.rows; ++r) {
            const float single = k.row_dot(p.weights.data() + r * row_bytes, p.x_q.data() + b * a_bytes, p.cols);
            if (single != got[b * p.rows + r]) ++bad;
          }
        }
        CHECK_MESSAGE(bad == 0, label(v, type, p));
        const Problem e = exact_problem(type, rows, cols_for(type, 3), batch, scalar.activation, rng);
        CHECK_MESSAGE(run_matmul(k, e) == run_matmul(scalar, e), label(v, type, e) << " (exact data)");
      }
    }
  });
}
