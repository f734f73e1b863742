// Scalar matvec / matmul for every weight type against a double-precision
// reference computed from the dequantized weights, on awkward sizes.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "kernels/matmul/matmul_scalar.h"
#include "kernels/quant/quant_type_traits.h"

namespace ballast {
namespace {

constexpr TensorType kAllTypes[] = {TensorType::f32,  TensorType::f16,  TensorType::bf16, TensorType::q8_0,
                                    TensorType::q4_0, TensorType::q4_1, TensorType::q5_0, TensorType::q5_1,
                                    TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};

// A quantized weight matrix and its exact dequantized values.
struct TestMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<uint8_t> bytes;   // [rows][row_bytes]
  std::vector<double> values;   // [rows][cols] what the bytes decode to
};

TestMatrix make_matrix(TensorType type, int64_t rows, int64_t cols, std::mt19937 &rng) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  REQUIRE(traits != nullptr);
  const int64_t row_bytes = quant_row_bytes(type, cols);
  REQUIRE(row_bytes > 0);
  TestMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.bytes.assign(static_cast<size_t>(rows * row_bytes), 0);
  m.values.resize(static_cast<size_t>(rows * cols));
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> source(static_cast<size_t>(cols)), decoded(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    const float row_scale = 0.1f + 2.0f * static_cast<float>(r % 5);  // rows of different magnitude
    for (float &v : source) v = uniform(rng) * row_scale;
    traits->quantize_row(source.data(), m.bytes.data() + r * row_bytes, cols);
    // Whole-row dequantize in one call: independent of the kernels' chunking.
    traits->dequantize_row(m.bytes.data() + r * row_bytes, decoded.data(), cols);
    for (int64_t c = 0; c < cols; ++c) m.values[static_cast<size_t>(r * cols + c)] = decoded[static_cast<size_t>(c)];
  }
  return m;
}

std::vector<float> random_vector(int64_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float &x : v) x = uniform(rng);
  return v;
}

// |got - exact| within f32 accumulation error: relative to sum |w * x|.
void check_dot(const TestMatrix &m, int64_t r, const float *x, float got) {
  double exact = 0.0, magnitude = 0.0;
  for (int64_t c = 0; c < m.cols; ++c) {
    const double term = m.values[static_cast<size_t>(r * m.cols + c)] * x[c];
    exact += term;
    magnitude += std::fabs(term);
  }
  const double tolerance = 2e-6 * magnitude + 1e-30;
  CHECK_MESSAGE(std::fabs(got - exact) <= tolerance, "row ", r, " got ", got, " exact ", exact, " tol ", tolerance);
}

// Column counts per type: whole blocks, 1 / 3 / 7 blocks, plus one that
// spans several 256-element chunks with a partial last chunk.
std::vector<int64_t> test_cols(TensorType type) {
  const int64_t block = quant_type_traits(type)->block_elements;
  if (block == 1) return {1, 3, 7, 300};
  if (block == 32) return {32, 96, 224, 288};
  return {256, 768, 1792};
}

TEST_CASE("matmul_kernels_scalar covers every weight type") {
  for (TensorType type : kAllTypes) {
    const MatmulKernels *kernels = matmul_kernels_scalar(type);
    REQUIRE(kernels != nullptr);
    CHECK(static_cast<bool>(kernels->row_dot));
    CHECK(static_cast<bool>(kernels->matvec));
    CHECK(static_cast<bool>(kernels->matmul));
  }
  CHECK(matmul_kernels_scalar(static_cast<TensorType>(99)) == nullptr);
}

TEST_CASE("scalar matvec and matmul match double reference for every type and awkward size") {
  std::mt19937 rng(1234);
  int checked_shapes = 0;
  for (TensorType type : kAllTypes) {
    const MatmulKernels *kernels = matmul_kernels_scalar(type);
    REQUIRE(kernels != nullptr);
    for (int64_t rows : {1, 3, 17}) {
      for (int64_t cols : test_cols(type)) {
        CAPTURE(quant_type_traits(type)->name);
        CAPTURE(rows);
        CAPTURE(cols);
        const TestMatrix m = make_matrix(type, rows, cols, rng);
        const int64_t row_bytes = quant_row_bytes(type, cols);

        // matvec, and row_dot on each row: identical f32 results.
        const std::vector<float> x = random_vector(cols, rng);
        std::vector<float> y(static_cast<size_t>(rows), NAN);
        kernels->matvec(m.bytes.data(), x.data(), y.data(), cols, 0, rows);
        for (int64_t r = 0; r < rows; ++r) {
          check_dot(m, r, x.data(), y[static_cast<size_t>(r)]);
          CHECK(kernels->row_dot(m.bytes.data() + r * row_bytes, x.data(), cols) == y[static_cast<size_t>(r)]);
        }

        // matmul at batch 1 and 5; batch 1 equals matvec bit for bit.
        for (int64_t batch : {1, 5}) {
          CAPTURE(batch);
          const std::vector<float> xs = batch == 1 ? x : random_vector(batch * cols, rng);
          std::vector<float> ys(static_cast<size_t>(batch * rows), NAN);
          kernels->matmul(m.bytes.data(), xs.data(), ys.data(), rows, cols, batch, 0, rows);
          for (int64_t b = 0; b < batch; ++b) {
            for (int64_t r = 0; r < rows; ++r) check_dot(m, r, xs.data() + b * cols, ys[static_cast<size_t>(b * rows + r)]);
          }
          if (batch == 1) {
            for (int64_t r = 0; r < rows; ++r) CHECK(ys[static_cast<size_t>(r)] == y[static_cast<size_t>(r)]);
          }
        }
        ++checked_shapes;
      }
    }
  }
  CHECK(checked_shapes == 3 * (3 * 4 + 5 * 4 + 3 * 3));
}

TEST_CASE("scalar matvec and matmul write only their row range") {
  std::mt19937 rng(99);
  for (TensorType type : kAllTypes) {
    CAPTURE(quant_type_traits(type)->name);
    const MatmulKernels *kernels = matmul_kernels_scalar(type);
    const int64_t rows = 17, cols = test_cols(type)[1], batch = 3;
    const TestMatrix m = make_matrix(type, rows, cols, rng);
    const std::vector<float> x = random_vector(batch * cols, rng);
    const float sentinel = 12345.0f;

    std::vector<float> y(static_cast<size_t>(rows), sentinel);
    kernels->matvec(m.bytes.data(), x.data(), y.data(), cols, 4, 11);
    for (int64_t r = 0; r < rows; ++r) {
      if (r >= 4 && r < 11) {
        check_dot(m, r, x.data(), y[static_cast<size_t>(r)]);
      } else {
        CHECK(y[static_cast<size_t>(r)] == sentinel);
      }
    }

    // Two halves computed separately equal one full call (thread split).
    std::vector<float> split(static_cast<size_t>(batch * rows), sentinel), whole(split.size(), sentinel);
    kernels->matmul(m.bytes.data(), x.data(), split.data(), rows, cols, batch, 0, 9);
    kernels->matmul(m.bytes.data(), x.data(), split.data(), rows, cols, batch, 9, rows);
    kernels->matmul(m.bytes.data(), x.data(), whole.data(), rows, cols, batch, 0, rows);
    CHECK(split == whole);

    std::vector<float> partial(static_cast<size_t>(batch * rows), sentinel);
    kernels->matmul(m.bytes.data(), x.data(), partial.data(), rows, cols, batch, 16, 17);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t r = 0; r < rows; ++r) {
        const float got = partial[static_cast<size_t>(b * rows + r)];
        if (r == 16) {
          CHECK(got == whole[static_cast<size_t>(b * rows + r)]);
        } else {
          CHECK(got == sentinel);
        }
      }
    }
  }
}

}  // namespace
}  // namespace ballast
