// Quantized-activation matvec/matmul: exact against double math on the
// dequantized weights and dequantized activations, and close to the f32-
// activation reference.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/matmul/matmul_scalar.h"
#include "kernels/quant/float16.h"
#include "kernels/quant/quant_rows.h"
#include "kernels/quant/quant_type_traits.h"

namespace ballast {
namespace {

constexpr TensorType kAllTypes[] = {TensorType::f32,  TensorType::f16,  TensorType::bf16, TensorType::q8_0,
                                    TensorType::q4_0, TensorType::q4_1, TensorType::q5_0, TensorType::q5_1,
                                    TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};

// What an activation row decodes to, written independently of the kernels.
std::vector<double> decode_activations(ActivationType type, const std::vector<uint8_t> &bytes, int64_t cols) {
  std::vector<float> out(static_cast<size_t>(cols));
  switch (type) {
    case ActivationType::f32: dequantize_row_f32(bytes.data(), out.data(), cols); break;
    case ActivationType::f16: dequantize_row_f16(bytes.data(), out.data(), cols); break;
    case ActivationType::bf16: dequantize_row_bf16(bytes.data(), out.data(), cols); break;
    case ActivationType::q8_0:
    case ActivationType::q8_0_sums: dequantize_row_q8_0(bytes.data(), out.data(), cols); break;  // Q8_0 blocks first
    case ActivationType::q8_1: dequantize_row_q8_1(bytes.data(), out.data(), cols); break;
    case ActivationType::q8_k: dequantize_row_q8_k(bytes.data(), out.data(), cols); break;
  }
  return std::vector<double>(out.begin(), out.end());
}

std::vector<int64_t> test_cols(TensorType type) {
  const int64_t block = quant_type_traits(type)->block_elements;
  if (block == 1) return {1, 7, 300};
  if (block == 32) return {32, 96, 224};
  return {256, 768, 1792};
}

TEST_CASE("activation formats: row sizes and Q8_1 round trip") {
  CHECK(activation_row_bytes(ActivationType::f32, 7) == 28);
  CHECK(activation_row_bytes(ActivationType::f16, 7) == 14);
  CHECK(activation_row_bytes(ActivationType::q8_0, 64) == 68);
  CHECK(activation_row_bytes(ActivationType::q8_1, 64) == 72);
  CHECK(activation_row_bytes(ActivationType::q8_k, 512) == 584);
  CHECK(activation_row_bytes(ActivationType::q8_0, 33) == -1);
  CHECK(activation_row_bytes(ActivationType::q8_k, 288) == -1);

  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
  std::vector<float> x(96), back(96);
  for (float &v : x) v = uniform(rng);
  std::vector<uint8_t> q(static_cast<size_t>(activation_row_bytes(ActivationType::q8_1, 96)));
  quantize_row_q8_1(x.data(), q.data(), 96);
  dequantize_row_q8_1(q.data(), back.data(), 96);
  for (int b = 0; b < 3; ++b) {
    float max_abs = 0.0f, sum = 0.0f;
    for (int j = 0; j < 32; ++j) max_abs = std::max(max_abs, std::fabs(x[static_cast<size_t>(32 * b + j)]));
    for (int j = 0; j < 32; ++j) {
      const size_t i = static_cast<size_t>(32 * b + j);
      CHECK(std::fabs(back[i] - x[i]) <= 0.51f * max_abs / 127.0f + 1e-3f * max_abs / 127.0f);
      sum += back[i];
    }
    BlockQ8_1 block;
    std::memcpy(&block, q.data() + b * sizeof(BlockQ8_1), sizeof block);
    // s = f16(sum_q * d) vs sum_q * f16(d): two f16 roundings apart.
    CHECK(std::fabs(f16_to_f32(block.s) - sum) <= 1.5e-3f * std::fabs(sum) + 1e-6f);
  }
}

TEST_CASE("q8 matvec/matmul equal double math on dequantized weights and activations, every type") {
  std::mt19937 rng(4321);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (TensorType type : kAllTypes) {
    const QuantTypeTraits *traits = quant_type_traits(type);
    const QuantizedMatmulKernels *kernels = matmul_q8_kernels_scalar(type);
    const MatmulKernels *f32_kernels = matmul_kernels_scalar(type);
    REQUIRE(kernels != nullptr);
    for (int64_t rows : {1, 3, 17}) {
      for (int64_t cols : test_cols(type)) {
        CAPTURE(std::string(traits->name));
        CAPTURE(rows);
        CAPTURE(cols);
        const int64_t row_bytes = quant_row_bytes(type, cols);
        const int64_t x_bytes = activation_row_bytes(kernels->activation, cols);
        REQUIRE(x_bytes > 0);
        std::vector<uint8_t> w(static_cast<size_t>(rows * row_bytes));
        std::vector<double> wv(static_cast<size_t>(rows * cols));
        std::vector<float> tmp(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
          for (float &v : tmp) v = uniform(rng) * (0.2f + static_cast<float>(r % 4));
          traits->quantize_row(tmp.data(), w.data() + r * row_bytes, cols);
          traits->dequantize_row(w.data() + r * row_bytes, tmp.data(), cols);
          for (int64_t c = 0; c < cols; ++c) wv[static_cast<size_t>(r * cols + c)] = tmp[static_cast<size_t>(c)];
        }
        for (int64_t batch : {1, 5}) {
          CAPTURE(batch);
          std::vector<float> x(static_cast<size_t>(batch * cols));
          for (float &v : x) v = uniform(rng) * 3.0f;
          std::vector<uint8_t> xq(static_cast<size_t>(batch * x_bytes));
          for (int64_t b = 0; b < batch; ++b) {
            kernels->quantize_activations(x.data() + b * cols, xq.data() + b * x_bytes, cols);
          }
          std::vector<float> y(static_cast<size_t>(batch * rows), NAN), y_f32(y.size(), NAN);
          kernels->matmul(w.data(), xq.data(), y.data(), rows, cols, batch, 0, rows);
          f32_kernels->matmul(w.data(), x.data(), y_f32.data(), rows, cols, batch, 0, rows);
          for (int64_t b = 0; b < batch; ++b) {
            const std::vector<uint8_t> one(xq.begin() + b * x_bytes, xq.begin() + (b + 1) * x_bytes);
            const std::vector<double> xv = decode_activations(kernels->activation, one, cols);
            for (int64_t r = 0; r < rows; ++r) {
              double exact = 0.0, exact_f32_x = 0.0, magnitude = 0.0;
              for (int64_t c = 0; c < cols; ++c) {
                const double wc = wv[static_cast<size_t>(r * cols + c)];
                exact += wc * xv[static_cast<size_t>(c)];
                exact_f32_x += wc * x[static_cast<size_t>(b * cols + c)];
                magnitude += std::fabs(wc * x[static_cast<size_t>(b * cols + c)]);
              }
              // Q8_1 keeps s = d * sum(q) as f16: the weight offset term m_w * s is off
              // by up to ~1e-3 of |m_w| * sum|x| per block (|m_w| <= the block's max |w|).
              double offset_error = 0.0;
              if (kernels->activation == ActivationType::q8_1) {
                for (int64_t begin = 0; begin < cols; begin += 32) {
                  double max_w = 0.0, sum_x = 0.0;
                  for (int64_t c = begin; c < begin + 32; ++c) {
                    max_w = std::max(max_w, std::fabs(wv[static_cast<size_t>(r * cols + c)]));
                    sum_x += std::fabs(xv[static_cast<size_t>(c)]);
                  }
                  offset_error += 1.5e-3 * max_w * sum_x;
                }
              }
              const float got = y[static_cast<size_t>(b * rows + r)];
              // Integer sums are exact; what is left is f32 scaling per block.
              const double tolerance = 3e-6 * magnitude + offset_error + 1e-30;
              CHECK_MESSAGE(std::fabs(got - exact) <= tolerance, "got ", got, " exact ", exact);
              // Versus f32 activations: only the activation rounding differs.
              CHECK(std::fabs(got - exact_f32_x) <= 0.01 * magnitude + 1e-30);
              CHECK(std::fabs(y_f32[static_cast<size_t>(b * rows + r)] - exact_f32_x) <= 3e-6 * magnitude + 1e-30);
              CHECK(kernels->row_dot(w.data() + r * row_bytes, xq.data() + b * x_bytes, cols) == got);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("q8 matmul writes only its row range") {
  std::mt19937 rng(77);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (TensorType type : kAllTypes) {
    CAPTURE(quant_type_traits(type)->name);
    const QuantizedMatmulKernels *kernels = matmul_q8_kernels_scalar(type);
    const int64_t rows = 9, cols = test_cols(type)[1], batch = 2;
    const int64_t row_bytes = quant_row_bytes(type, cols), x_bytes = activation_row_bytes(kernels->activation, cols);
    std::vector<float> source(static_cast<size_t>(rows * cols));
    for (float &v : source) v = uniform(rng);
    std::vector<uint8_t> w(static_cast<size_t>(rows * row_bytes)), xq(static_cast<size_t>(batch * x_bytes));
    for (int64_t r = 0; r < rows; ++r) quant_type_traits(type)->quantize_row(source.data() + r * cols, w.data() + r * row_bytes, cols);
    for (int64_t b = 0; b < batch; ++b) kernels->quantize_activations(source.data() + b * cols, xq.data() + b * x_bytes, cols);
    std::vector<float> whole(static_cast<size_t>(batch * rows), -7.0f), part(whole.size(), -7.0f);
    kernels->matmul(w.data(), xq.data(), whole.data(), rows, cols, batch, 0, rows);
    kernels->matmul(w.data(), xq.data(), part.data(), rows, cols, batch, 2, 5);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t r = 0; r < rows; ++r) {
        const size_t i = static_cast<size_t>(b * rows + r);
        CHECK(part[i] == (r >= 2 && r < 5 ? whole[i] : -7.0f));
      }
    }
  }
}

}  // namespace
}  // namespace ballast
