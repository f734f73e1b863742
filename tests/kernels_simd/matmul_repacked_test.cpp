// Repacked weight layouts (interleaved_x8.h: q4_0x8, q5_0x8, q8_0x8): the repack
// itself, the scalar reference over the repacked copy against the plain
// kernels, and every compiled SIMD variant with a repacked kernel against
// that reference BIT FOR
// BIT (same integer block sums, same FMA chain per row), for decode and
// batched calls, row counts that are not a multiple of the 8-row group, and
// row ranges that cut groups (as the thread pool's split could). Variants the
// CPU lacks are reported with MESSAGE as skipped; test-only twins
// (matmul_test_twins.h) are tested like compiled variants.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_variants.h"
#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/matmul/interleaved_x8.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_rows.h"
#include "kernels/quant/quant_type_traits.h"
#include "platform/cpu_features.h"
#include "tests/kernels_simd/matmul_test_twins.h"

using namespace ballast;

namespace {

const int64_t kRowCounts[] = {1, 7, 8, 9, 16, 23, 40, 67};  // 40: 5 groups, two pairs and a single
const int64_t kBlockCounts[] = {1, 2, 7};
const int64_t kBatches[] = {1, 2, 3, 4, 5, 9};

const TensorType kRepackedTypes[] = {TensorType::q4_0, TensorType::q5_0, TensorType::q8_0};

const RepackedMatmulKernels *scalar_repacked(TensorType type) {
  switch (type) {
    case TensorType::q4_0: return q4_0x8_kernels_scalar();
    case TensorType::q5_0: return q5_0x8_kernels_scalar();
    default: return q8_0x8_kernels_scalar();
  }
}

struct RepackProblem {
  TensorType type;
  int64_t rows, cols, batch;
  std::vector<uint8_t> weights;   // [rows][row_bytes] plain blocks of `type`
  std::vector<uint8_t> repacked;  // its x8 copy
  std::vector<float> x;           // [batch][cols] f32 activations
  std::vector<uint8_t> x_plain;   // [batch] Q8_0 rows (the plain kernels' format)
  std::vector<uint8_t> x_sums;    // [batch] q8_0_sums rows
  std::vector<double> abs_sum;    // [batch][rows] sum |w * x| (error scale)
};

RepackProblem make_problem(TensorType type, int64_t rows, int64_t cols, int64_t batch, std::mt19937 &rng) {
  RepackProblem p{type, rows, cols, batch, {}, {}, {}, {}, {}, {}};
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
  const RepackedMatmulKernels *scalar = scalar_repacked(type);
  REQUIRE(scalar->repacked_bytes(rows, cols) == static_cast<int64_t>(p.weights.size()));
  p.repacked.assign(p.weights.size(), 0xee);
  scalar->repack(p.weights.data(), p.repacked.data(), rows, cols);

  p.x.resize(static_cast<size_t>(batch * cols));
  for (float &v : p.x) v = normal(rng) * 2.0f;
  const int64_t plain_bytes = activation_row_bytes(ActivationType::q8_0, cols);
  const int64_t sums_bytes = activation_row_bytes(ActivationType::q8_0_sums, cols);
  REQUIRE(sums_bytes == plain_bytes + cols / kQuantBlock * 2);
  p.x_plain.resize(static_cast<size_t>(batch * plain_bytes));
  p.x_sums.resize(static_cast<size_t>(batch * sums_bytes));
  p.abs_sum.assign(static_cast<size_t>(batch * rows), 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    quantize_activations_q8_0(p.x.data() + b * cols, p.x_plain.data() + b * plain_bytes, cols);
    quantize_activations_q8_0_sums(p.x.data() + b * cols, p.x_sums.data() + b * sums_bytes, cols);
    // The q8_0_sums row starts with exactly the Q8_0 row.
    REQUIRE(std::memcmp(p.x_plain.data() + b * plain_bytes, p.x_sums.data() + b * sums_bytes,
                        static_cast<size_t>(plain_bytes)) == 0);
    std::vector<float> x_values(static_cast<size_t>(cols));
    quant_type_traits(TensorType::q8_0)->dequantize_row(p.x_plain.data() + b * plain_bytes, x_values.data(), cols);
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0.0;
      for (int64_t c = 0; c < cols; ++c) sum += std::fabs(double{w_values[r * cols + c]} * x_values[c]);
      p.abs_sum[b * rows + r] = sum;
    }
  }
  return p;
}

// Runs `matmul` over the repacked copy in the row ranges [0, split) and [split, rows).
std::vector<float> run_repacked(QuantizedMatmulFn matmul, const RepackProblem &p, const std::vector<uint8_t> &x_q,
                                int64_t split) {
  std::vector<float> y(static_cast<size_t>(p.batch * p.rows), std::nanf(""));
  matmul(p.repacked.data(), x_q.data(), y.data(), p.rows, p.cols, p.batch, 0, split);
  matmul(p.repacked.data(), x_q.data(), y.data(), p.rows, p.cols, p.batch, split, p.rows);
  return y;
}

std::string label(const char *variant, const RepackProblem &p, int64_t split) {
  return std::string(variant) + " " + tensor_type_info(p.type)->name + " rows=" + std::to_string(p.rows) + " cols=" + std::to_string(p.cols) +
         " batch=" + std::to_string(p.batch) + " split=" + std::to_string(split);
}

}  // namespace

TEST_CASE("x8 repacks interleave 8 rows per block and keep the tail rows plain") {
  std::mt19937 rng(11);
  for (TensorType type : kRepackedTypes) {
    CAPTURE(tensor_type_info(type)->name);
    const RepackProblem p = make_problem(type, 19, 3 * kQuantBlock, 1, rng);  // 2 groups + 3 tail rows
    const int64_t row_bytes = quant_row_bytes(type, p.cols);
    const int64_t blocks = p.cols / kQuantBlock;
    for (int64_t r = 0; r < 16; ++r) {
      const int64_t i = r % 8;
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t *plain = p.weights.data() + r * row_bytes + b * quant_row_bytes(type, kQuantBlock);
        if (type == TensorType::q5_0) {
          const uint8_t *packed = p.repacked.data() + ((r / 8) * blocks + b) * kQ5_0x8BlockBytes;
          CHECK(std::memcmp(packed + 2 * i, plain, 2) == 0);  // the scale
          uint32_t qh;
          std::memcpy(&qh, plain + 2, 4);
          for (int k = 0; k < 4; ++k) {
            for (int j = 0; j < 4; ++j) CHECK(packed[48 + 32 * k + 4 * i + j] == plain[6 + 4 * k + j]);
          }
          // Unit m = 2k (elements 4k + j) and 2k + 1 (16 + 4k + j): bit m of fifth-bit byte j.
          for (int m = 0; m < 8; ++m) {
            for (int j = 0; j < 4; ++j) {
              const int element = (m % 2) * 16 + (m / 2) * 4 + j;
              CHECK(((packed[16 + 4 * i + j] >> m) & 1) == ((qh >> element) & 1));
            }
          }
        } else {
          const bool q8 = type == TensorType::q8_0;
          const uint8_t *packed = p.repacked.data() + ((r / 8) * blocks + b) * (q8 ? kQ8_0x8BlockBytes : kQ4_0x8BlockBytes);
          const uint8_t flip = q8 ? 0x80 : 0x00;  // q8_0x8 stores q + 128
          CHECK(std::memcmp(packed + 2 * i, plain, 2) == 0);  // the scale
          for (int k = 0; k < (q8 ? 8 : 4); ++k) {
            for (int j = 0; j < 4; ++j) CHECK(packed[16 + 32 * k + 4 * i + j] == (plain[2 + 4 * k + j] ^ flip));
          }
        }
      }
    }
    CHECK(std::memcmp(p.repacked.data() + 16 * row_bytes, p.weights.data() + 16 * row_bytes,
                      static_cast<size_t>(3 * row_bytes)) == 0);
  }
}

TEST_CASE("scalar x8 matmuls match the plain kernels within accumulation-order error") {
  std::mt19937 rng(21);
  for (TensorType type : kRepackedTypes) {
  const QuantizedMatmulKernels *plain = matmul_q8_kernels_scalar(type);
  REQUIRE(plain != nullptr);
  const RepackedMatmulKernels *scalar = scalar_repacked(type);
  REQUIRE(scalar->activation == ActivationType::q8_0_sums);
  for (int64_t rows : kRowCounts) {
    for (int64_t blocks : kBlockCounts) {
      for (int64_t batch : {int64_t{1}, int64_t{5}}) {
        const RepackProblem p = make_problem(type, rows, blocks * kQuantBlock, batch, rng);
        std::vector<float> want(static_cast<size_t>(batch * rows));
        plain->matmul(p.weights.data(), p.x_plain.data(), want.data(), rows, p.cols, batch, 0, rows);
        const std::vector<float> got = run_repacked(scalar->matmul, p, p.x_sums, rows / 2);
        int bad = 0;
        for (size_t i = 0; i < want.size(); ++i) {
          if (!(std::fabs(double{got[i]} - want[i]) <= 1e-5 * p.abs_sum[i] + 1e-30)) {
            if (bad++ == 0) FAIL_CHECK(label("scalar", p, rows / 2) << " at " << i << ": " << got[i] << " vs " << want[i]);
          }
        }
        CHECK_MESSAGE(bad == 0, label("scalar", p, rows / 2));
      }
    }
  }
  }
}

TEST_CASE("SIMD x8 kernels equal the scalar x8 references bit for bit, decode and batched") {
  const std::vector<MatmulVariant> variants = matmul_variants_under_test();
  const size_t n = variants.size();
  std::mt19937 rng(31);
  int tested = 0;
  for (TensorType type : kRepackedTypes) {
  const RepackedMatmulKernels *scalar = scalar_repacked(type);
  for (size_t i = 0; i < n; ++i) {
    const MatmulVariant &v = variants[i];
    const QuantizedMatmulKernels *k = v.kernels(type);
    if (k == nullptr || k->repacked == nullptr) continue;
    if (!v.cpu_supports(host_cpu_features())) {
      MESSAGE("skipped repacked " << tensor_type_info(type)->name << " variant " << std::string(v.name)
                                  << ": this CPU lacks it");
      continue;
    }
    ++tested;
    const RepackedMatmulKernels &r = *k->repacked;
    CAPTURE(v.name);
    CAPTURE(tensor_type_info(type)->name);
    CHECK(std::string(r.layout) == scalar->layout);
    CHECK(r.repacked_bytes(67, 224) == scalar->repacked_bytes(67, 224));
    CHECK(r.row_group == scalar->row_group);
    REQUIRE(r.activation == ActivationType::q8_0_sums);
    for (int64_t rows : kRowCounts) {
      for (int64_t blocks : kBlockCounts) {
        for (int64_t batch : kBatches) {
          const RepackProblem p = make_problem(type, rows, blocks * kQuantBlock, batch, rng);
          // The variant's converter writes the scalar converter's bytes.
          std::vector<uint8_t> x_q(p.x_sums.size());
          const int64_t row_bytes = activation_row_bytes(r.activation, p.cols);
          for (int64_t b = 0; b < batch; ++b) {
            r.quantize_activations(p.x.data() + b * p.cols, x_q.data() + b * row_bytes, p.cols);
          }
          CHECK(x_q == p.x_sums);
          std::vector<uint8_t> repacked(p.weights.size());
          r.repack(p.weights.data(), repacked.data(), rows, p.cols);
          CHECK(repacked == p.repacked);
          // Splits inside a group (3), at a group edge (8) and the whole range.
          for (int64_t split : {int64_t{0}, std::min<int64_t>(3, rows), std::min<int64_t>(8, rows)}) {
            const std::vector<float> want = run_repacked(scalar->matmul, p, p.x_sums, split);
            const std::vector<float> got = run_repacked(r.matmul, p, p.x_sums, split);
            CHECK_MESSAGE(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0,
                          label(v.name, p, split));
          }
        }
      }
    }
  }
  }
  if (tested == 0) MESSAGE("no SIMD variant with a repacked kernel runs here: only the scalar references were tested");
}

TEST_CASE("a repacked kernel writes only its row range") {
  const std::vector<MatmulVariant> variants = matmul_variants_under_test();
  const size_t n = variants.size();
  std::mt19937 rng(41);
  for (TensorType type : kRepackedTypes) {
  const RepackProblem p = make_problem(type, 21, 2 * kQuantBlock, 3, rng);
  std::vector<const RepackedMatmulKernels *> kernels = {scalar_repacked(type)};
  for (size_t i = 0; i < n; ++i) {
    const QuantizedMatmulKernels *k = variants[i].kernels(type);
    if (k != nullptr && k->repacked != nullptr && variants[i].cpu_supports(host_cpu_features())) kernels.push_back(k->repacked);
  }
  for (const RepackedMatmulKernels *r : kernels) {
    std::vector<float> y(static_cast<size_t>(p.batch * p.rows), -7.0f);
    r->matmul(p.repacked.data(), p.x_sums.data(), y.data(), p.rows, p.cols, p.batch, 5, 19);
    for (int64_t b = 0; b < p.batch; ++b) {
      for (int64_t row = 0; row < p.rows; ++row) {
        const float value = y[static_cast<size_t>(b * p.rows + row)];
        if (row < 5 || row >= 19) {
          CHECK(value == -7.0f);
        } else {
          CHECK(value != -7.0f);
        }
      }
    }
  }
}
}

TEST_CASE("a repacked copy gives back every file row exactly (the tied embedding reads it)") {
  const std::vector<MatmulVariant> variants = matmul_variants_under_test();
  const size_t n = variants.size();
  std::mt19937 rng(51);
  for (TensorType type : kRepackedTypes) {
    CAPTURE(tensor_type_info(type)->name);
    const RepackProblem p = make_problem(type, 21, 3 * kQuantBlock, 1, rng);  // 2 groups + 5 tail rows
    std::vector<const RepackedMatmulKernels *> kernels = {scalar_repacked(type)};
    for (size_t i = 0; i < n; ++i) {
      if (!variants[i].cpu_supports(host_cpu_features())) continue;  // its code may not run here
      const QuantizedMatmulKernels *k = variants[i].kernels(type);
      if (k != nullptr && k->repacked != nullptr) kernels.push_back(k->repacked);
    }
    const int64_t row_bytes = quant_row_bytes(type, p.cols);
    std::vector<float> want(static_cast<size_t>(p.cols)), got(static_cast<size_t>(p.cols));
    for (const RepackedMatmulKernels *r : kernels) {
      REQUIRE(static_cast<bool>(r->dequantize_row));
      for (int64_t row = 0; row < p.rows; ++row) {
        quant_type_traits(type)->dequantize_row(p.weights.data() + row * row_bytes, want.data(), p.cols);
        r->dequantize_row(p.repacked.data(), p.rows, p.cols, row, got.data());
        CHECK_MESSAGE(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0, "row " << row);
      }
    }
  }
}
