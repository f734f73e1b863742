// RMSNorm, SiLU*up, softmax, adds and embedding lookup against straightforward
// double-precision math.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "kernels/activation/silu_mul_scalar.h"
#include "kernels/activation/softmax_scalar.h"
#include "kernels/elementwise/add_scalar.h"
#include "kernels/embedding/embedding_scalar.h"
#include "kernels/norm/rms_norm_scalar.h"
#include "kernels/quant/quant_type_traits.h"

namespace ballast {
namespace {

std::vector<float> random_vector(int64_t n, float scale, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uniform(-scale, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (float &x : v) x = uniform(rng);
  return v;
}

bool close(double got, double want, double relative, double absolute = 1e-30) {
  return std::fabs(got - want) <= relative * std::fabs(want) + absolute;
}

std::vector<double> rms_norm_double(const float *x, const float *w, int64_t n, double eps) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const double scale = 1.0 / std::sqrt(sum / static_cast<double>(n) + eps);
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) y[static_cast<size_t>(i)] = x[i] * scale * w[i];
  return y;
}

TEST_CASE("rms_norm_scalar matches double math, in place too") {
  std::mt19937 rng(7);
  for (int64_t n : {1, 7, 64, 2049}) {
    for (float eps : {1e-5f, 1e-6f}) {
      CAPTURE(n);
      const std::vector<float> x = random_vector(n, 3.0f, rng), w = random_vector(n, 2.0f, rng);
      const std::vector<double> want = rms_norm_double(x.data(), w.data(), n, eps);
      std::vector<float> y(static_cast<size_t>(n));
      rms_norm_scalar(x.data(), w.data(), y.data(), n, eps);
      for (int64_t i = 0; i < n; ++i) CHECK(close(y[static_cast<size_t>(i)], want[static_cast<size_t>(i)], 1e-6, 1e-7));
      std::vector<float> in_place = x;
      rms_norm_scalar(in_place.data(), w.data(), in_place.data(), n, eps);
      CHECK(in_place == y);
    }
  }
  // eps matters for a tiny row: all-zero input gives zeros, not NaN.
  const float zeros[4] = {0, 0, 0, 0}, ones[4] = {1, 1, 1, 1};
  float out[4];
  rms_norm_scalar(zeros, ones, out, 4, 1e-6f);
  for (float v : out) CHECK(v == 0.0f);
}

TEST_CASE("rms_norm_rows_scalar normalises each head with the shared weight") {
  std::mt19937 rng(8);
  const int64_t heads = 5, head_dim = 24;
  const std::vector<float> x = random_vector(heads * head_dim, 4.0f, rng), w = random_vector(head_dim, 1.5f, rng);
  std::vector<float> y(x.size());
  rms_norm_rows_scalar(x.data(), w.data(), y.data(), heads, head_dim, 1e-6f);
  for (int64_t h = 0; h < heads; ++h) {
    const std::vector<double> want = rms_norm_double(x.data() + h * head_dim, w.data(), head_dim, 1e-6);
    for (int64_t i = 0; i < head_dim; ++i) {
      CHECK(close(y[static_cast<size_t>(h * head_dim + i)], want[static_cast<size_t>(i)], 1e-6, 1e-7));
    }
  }
}

TEST_CASE("silu_mul_scalar matches double math including saturated inputs") {
  std::mt19937 rng(9);
  std::vector<float> gate = random_vector(301, 8.0f, rng), up = random_vector(301, 2.0f, rng);
  gate[0] = -100.0f;  // exp(100) overflows f32: result must be -0, not NaN
  gate[1] = 100.0f;
  gate[2] = 0.0f;
  std::vector<float> y(gate.size());
  silu_mul_scalar(gate.data(), up.data(), y.data(), static_cast<int64_t>(gate.size()));
  for (size_t i = 0; i < gate.size(); ++i) {
    const double g = gate[i];
    const double want = g / (1.0 + std::exp(-g)) * up[i];
    CHECK(close(y[i], want, 2e-6, 1e-30));
  }
  CHECK(y[0] == 0.0f);
  CHECK(y[2] == 0.0f);
  std::vector<float> in_place = gate;
  silu_mul_scalar(in_place.data(), up.data(), in_place.data(), static_cast<int64_t>(gate.size()));
  CHECK(in_place == y);
}

TEST_CASE("softmax_scalar is stable, sums to one and handles masked entries") {
  std::mt19937 rng(10);
  for (int64_t n : {1, 5, 1000}) {
    std::vector<float> x = random_vector(n, 20.0f, rng);
    x[0] += 1000.0f;  // would overflow without subtracting the max
    std::vector<float> y(x.size());
    softmax_scalar(x.data(), y.data(), n);
    double max_value = -INFINITY, total = 0.0, sum = 0.0;
    for (float v : x) max_value = std::max<double>(max_value, v);
    for (float v : x) total += std::exp(v - max_value);
    for (int64_t i = 0; i < n; ++i) {
      const double want = std::exp(x[static_cast<size_t>(i)] - max_value) / total;
      CHECK(close(y[static_cast<size_t>(i)], want, 2e-6, 1e-30));
      sum += y[static_cast<size_t>(i)];
    }
    CHECK(std::fabs(sum - 1.0) < 1e-5);
  }
  float masked[4] = {1.0f, -INFINITY, 2.0f, -INFINITY};
  softmax_scalar(masked, masked, 4);  // in place
  CHECK(masked[1] == 0.0f);
  CHECK(masked[3] == 0.0f);
  CHECK(close(masked[2], 1.0 / (1.0 + std::exp(-1.0)), 1e-6));
  float all_masked[3] = {-INFINITY, -INFINITY, -INFINITY};
  softmax_scalar(all_masked, all_masked, 3);
  for (float v : all_masked) CHECK(v == 0.0f);
}

TEST_CASE("add_scalar and add_bias_scalar") {
  std::mt19937 rng(11);
  const std::vector<float> a = random_vector(37, 5.0f, rng), b = random_vector(37, 5.0f, rng);
  std::vector<float> y(a.size());
  add_scalar(a.data(), b.data(), y.data(), 37);
  for (size_t i = 0; i < a.size(); ++i) CHECK(y[i] == a[i] + b[i]);
  std::vector<float> residual = a;
  add_scalar(residual.data(), b.data(), residual.data(), 37);
  CHECK(residual == y);

  const int64_t rows = 3, n = 11;
  const std::vector<float> x = random_vector(rows * n, 1.0f, rng), bias = random_vector(n, 1.0f, rng);
  std::vector<float> biased = x;
  add_bias_scalar(biased.data(), bias.data(), rows, n);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < n; ++i) {
      CHECK(biased[static_cast<size_t>(r * n + i)] == x[static_cast<size_t>(r * n + i)] + bias[static_cast<size_t>(i)]);
    }
  }
}

TEST_CASE("embedding_row_scalar dequantizes the token's row for every type") {
  std::mt19937 rng(12);
  const TensorType types[] = {TensorType::f32,  TensorType::f16,  TensorType::bf16, TensorType::q8_0,
                              TensorType::q4_0, TensorType::q4_1, TensorType::q5_0, TensorType::q5_1,
                              TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};
  for (TensorType type : types) {
    const QuantTypeTraits *traits = quant_type_traits(type);
    CAPTURE(traits->name);
    const int64_t n_vocab = 5, n_embd = traits->block_elements == 256 ? 512 : 96;
    const int64_t row_bytes = quant_row_bytes(type, n_embd);
    std::vector<uint8_t> table(static_cast<size_t>(n_vocab * row_bytes));
    for (int64_t t = 0; t < n_vocab; ++t) {
      const std::vector<float> row = random_vector(n_embd, 1.0f + static_cast<float>(t), rng);
      traits->quantize_row(row.data(), table.data() + t * row_bytes, n_embd);
    }
    std::vector<float> want(static_cast<size_t>(n_embd)), got(static_cast<size_t>(n_embd));
    for (int64_t t = 0; t < n_vocab; ++t) {
      traits->dequantize_row(table.data() + t * row_bytes, want.data(), n_embd);
      REQUIRE(embedding_row_scalar(type, table.data(), n_vocab, n_embd, t, got.data()).is_ok());
      CHECK(got == want);
    }
    std::vector<float> untouched(static_cast<size_t>(n_embd), 7.0f);
    const Status past_end = embedding_row_scalar(type, table.data(), n_vocab, n_embd, n_vocab, untouched.data());
    CHECK(past_end.code() == StatusCode::out_of_range);
    CHECK(embedding_row_scalar(type, table.data(), n_vocab, n_embd, -1, untouched.data()).code() ==
          StatusCode::out_of_range);
    for (float v : untouched) CHECK(v == 7.0f);
  }
  float out[33];
  CHECK(embedding_row_scalar(TensorType::q4_0, nullptr, 5, 33, 0, out).code() == StatusCode::invalid_argument);
}

}  // namespace
}  // namespace ballast
