// SIMD activation converters (f32 -> Q8_0 blocks, f32 -> f16) of every
// runnable matmul variant against the scalar ones: the bytes must be
// identical (the integer dots then see exactly the scalar activations).
// Awkward inputs: values exactly halfway between two quants (lround rounds
// them away from zero), the largest float below a half, zero blocks, -0,
// f16 denormals and values past the f16 range, odd lengths for f16 (tails).
// Variants the CPU lacks are reported with MESSAGE as skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_variants.h"
#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

// Rows of f32 inputs, each a multiple of 32 long.
std::vector<std::vector<float>> q8_0_inputs() {
  std::vector<std::vector<float>> rows;
  std::mt19937 rng(31);
  for (float sigma : {1e-6f, 0.01f, 1.0f, 3.0f, 1000.0f}) {
    for (int64_t n : {32, 64, 96, 576}) {
      std::normal_distribution<float> normal(0.0f, sigma);
      std::vector<float> row(static_cast<size_t>(n));
      for (float &v : row) v = normal(rng);
      rows.push_back(row);
    }
  }
  // max |x| = 127 -> d = 1: q = x exactly, so k + 0.5 sits on the rounding boundary.
  std::vector<float> halves(64);
  for (int i = 0; i < 64; ++i) halves[i] = static_cast<float>(i % 32 - 16) + 0.5f;
  halves[0] = 127.0f;
  halves[33] = -127.0f;
  halves[5] = std::nextafter(0.5f, 0.0f);
  halves[6] = -std::nextafter(0.5f, 0.0f);
  halves[7] = std::nextafter(2.5f, 3.0f);
  halves[8] = -0.0f;
  rows.push_back(halves);
  // max |x| = 63.5 -> d = 0.5, 1 / d = 2: x = k / 2 + 0.25 gives halfway products too.
  std::vector<float> quarters(32);
  for (int i = 0; i < 32; ++i) quarters[i] = static_cast<float>(i - 16) * 0.5f + 0.25f;
  quarters[31] = -63.5f;
  rows.push_back(quarters);
  rows.push_back(std::vector<float>(96, 0.0f));  // zero blocks: d = 0
  std::vector<float> mixed(96, 0.0f);            // a zero block between two others
  for (int i = 0; i < 32; ++i) mixed[i] = 0.1f * static_cast<float>(i);
  for (int i = 64; i < 96; ++i) mixed[i] = -1e-30f * static_cast<float>(i);
  rows.push_back(mixed);
  return rows;
}

std::vector<std::vector<float>> f16_inputs() {
  std::vector<std::vector<float>> rows;
  std::mt19937 rng(32);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (int64_t n = 1; n <= 41; ++n) {
    std::vector<float> row(static_cast<size_t>(n));
    for (float &v : row) v = normal(rng);
    rows.push_back(row);
  }
  // f16 edge values: ties to even, denormals, overflow to infinity, signed zero.
  rows.push_back({1.0f + 1.0f / 2048.0f, 1.0f + 3.0f / 2048.0f, 65504.0f, 65519.0f, 65520.0f, 1e6f, -1e6f,
                  5.96e-8f, 2.98e-8f, 1e-10f, -0.0f, 6.1e-5f, 3.0e-5f, -4.2e-6f, 0.33333334f, -2.71828f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(), 1.5e-5f});
  return rows;
}

template <typename CheckFn>
void for_each_runnable_converter(CheckFn check) {
  size_t n = 0;
  const MatmulVariant *variants = compiled_matmul_variants(&n);
  for (size_t i = 0; i < n; ++i) {
    const MatmulVariant &v = variants[i];
    if (std::string(v.name) == "scalar") continue;
    if (!v.cpu_supports(host_cpu_features())) {
      MESSAGE("skipped converters of variant " << std::string(v.name) << ": this CPU lacks it");
      continue;
    }
    for (TensorType type : {TensorType::q8_0, TensorType::q4_0, TensorType::f16}) {
      const QuantizedMatmulKernels *k = v.kernels(type);
      if (k != nullptr) check(v, type, *k, *matmul_q8_kernels_scalar(type));
    }
  }
}

}  // namespace

TEST_CASE("SIMD activation converters write the scalar bytes exactly on awkward inputs") {
  for_each_runnable_converter([](const MatmulVariant &v, TensorType type, const QuantizedMatmulKernels &k,
                                 const QuantizedMatmulKernels &scalar) {
    REQUIRE(k.activation == scalar.activation);
    const std::vector<std::vector<float>> inputs =
        scalar.activation == ActivationType::f16 ? f16_inputs() : q8_0_inputs();
    for (const std::vector<float> &x : inputs) {
      const int64_t cols = static_cast<int64_t>(x.size());
      const int64_t bytes = activation_row_bytes(scalar.activation, cols);
      REQUIRE(bytes > 0);
      std::vector<uint8_t> got(static_cast<size_t>(bytes) + 8, 0xa5), want(static_cast<size_t>(bytes) + 8, 0xa5);
      k.quantize_activations(x.data(), got.data(), cols);
      scalar.quantize_activations(x.data(), want.data(), cols);
      CHECK_MESSAGE(got == want, v.name << " " << tensor_type_info(type)->name << " cols=" << cols);  // incl. no overrun
    }
  });
}
