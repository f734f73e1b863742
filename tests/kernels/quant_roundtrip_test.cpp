// Quantize -> dequantize round trips for every block format, on random data of
// awkward sizes (1, 7, 33 blocks) plus hostile blocks (zeros, constants, one
// outlier, all negative). Bounds come from the format: every element must land
// on the grid point nearest to it given the block's stored scales, and the
// block scales must cover the data as each format defines them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/quant/blocks.h"
#include "kernels/quant/float16.h"
#include "kernels/quant/k_quant_scales.h"
#include "kernels/quant/quant_type_traits.h"

using namespace ballast;

namespace {

// The grid one element was quantized on: values lo + k*step for k = 0..steps.
struct ElementGrid {
  float lo;
  float step;  // >= 0
  int steps;
};

// Test-side decoding of each element's grid from the stored block fields.
std::vector<ElementGrid> element_grids(TensorType type, const uint8_t *data, int64_t n) {
  std::vector<ElementGrid> grids(static_cast<size_t>(n));
  auto set_symmetric = [&](int64_t e, float d, int q_lo, int q_hi) {
    const float a = d * static_cast<float>(q_lo), b = d * static_cast<float>(q_hi);
    grids[e] = ElementGrid{std::min(a, b), std::fabs(d), q_hi - q_lo};
  };
  switch (type) {
    case TensorType::q4_0:
    case TensorType::q5_0:
    case TensorType::q8_0: {
      const size_t block_bytes = type == TensorType::q4_0 ? 18 : type == TensorType::q5_0 ? 22 : 34;
      const int q_lo = type == TensorType::q4_0 ? -8 : type == TensorType::q5_0 ? -16 : -127;
      const int q_hi = type == TensorType::q4_0 ? 7 : type == TensorType::q5_0 ? 15 : 127;
      for (int64_t e = 0; e < n; ++e) {
        uint16_t d;
        std::memcpy(&d, data + (e / 32) * block_bytes, 2);
        set_symmetric(e, f16_to_f32(d), q_lo, q_hi);
      }
      break;
    }
    case TensorType::q4_1:
    case TensorType::q5_1: {
      const size_t block_bytes = type == TensorType::q4_1 ? 20 : 24;
      for (int64_t e = 0; e < n; ++e) {
        uint16_t d, m;
        std::memcpy(&d, data + (e / 32) * block_bytes, 2);
        std::memcpy(&m, data + (e / 32) * block_bytes + 2, 2);
        grids[e] = ElementGrid{f16_to_f32(m), f16_to_f32(d), type == TensorType::q4_1 ? 15 : 31};
      }
      break;
    }
    case TensorType::q4_k:
    case TensorType::q5_k: {
      const size_t block_bytes = type == TensorType::q4_k ? 144 : 176;
      for (int64_t e = 0; e < n; ++e) {
        const uint8_t *block = data + (e / 256) * block_bytes;
        uint16_t d, dmin;
        std::memcpy(&d, block, 2);
        std::memcpy(&dmin, block + 2, 2);
        uint8_t scale, min;
        unpack_scale_min_k4(block + 4, static_cast<int>((e % 256) / 32), &scale, &min);
        grids[e] = ElementGrid{-f16_to_f32(dmin) * min, f16_to_f32(d) * scale, type == TensorType::q4_k ? 15 : 31};
      }
      break;
    }
    case TensorType::q6_k: {
      for (int64_t e = 0; e < n; ++e) {
        const uint8_t *block = data + (e / 256) * 210;
        uint16_t d;
        std::memcpy(&d, block + 208, 2);
        const int8_t scale = static_cast<int8_t>(block[192 + (e % 256) / 16]);
        set_symmetric(e, f16_to_f32(d) * scale, -32, 31);
      }
      break;
    }
    default: break;
  }
  return grids;
}

// Random rows: N(0,1) blocks, with some hostile blocks mixed in.
std::vector<float> make_row(int64_t n, int block, uint32_t seed, bool hostile) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (float &v : x) v = normal(rng);
  if (hostile) {
    const int64_t blocks = n / block;
    for (int64_t b = 0; b < blocks; ++b) {
      float *p = x.data() + b * block;
      switch (b % 7) {
        case 1: std::fill(p, p + block, 0.0f); break;                    // all zero
        case 2: std::fill(p, p + block, 0.75f); break;                   // positive constant
        case 3: std::fill(p, p + block, -1.25f); break;                  // negative constant
        case 4: p[block / 3] = 40.0f; break;                             // one outlier
        case 5: for (int i = 0; i < block; ++i) p[i] = -std::fabs(p[i]) - 3.0f; break;  // all negative, offset
        case 6: for (int i = 0; i < block; ++i) p[i] *= 1e-3f; break;   // small magnitudes
        default: break;
      }
    }
  }
  return x;
}

struct RoundTrip {
  double rms = 0;
  double max_grid_excess = 0;  // worst |error| minus the nearest-grid bound, in units of step
};

RoundTrip check_round_trip(TensorType type, int64_t blocks, uint32_t seed, bool hostile) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  REQUIRE(traits != nullptr);
  const int64_t n = blocks * traits->block_elements;
  const std::vector<float> x = make_row(n, static_cast<int>(traits->block_elements), seed, hostile);
  std::vector<uint8_t> packed(static_cast<size_t>(quant_row_bytes(type, n)) + 1, 0xEE);  // +1 guard byte
  traits->quantize_row(x.data(), packed.data(), n);
  CHECK(packed.back() == 0xEE);  // wrote exactly the row's bytes
  std::vector<float> y(static_cast<size_t>(n) + 1, 12345.0f);
  traits->dequantize_row(packed.data(), y.data(), n);
  CHECK(y.back() == 12345.0f);

  const std::vector<ElementGrid> grids = element_grids(type, packed.data(), n);
  RoundTrip result;
  double sum_sq = 0;
  int failures = 0;
  for (int64_t e = 0; e < n; ++e) {
    const ElementGrid &g = grids[e];
    const float hi = g.lo + g.step * g.steps;
    const double error = std::fabs(static_cast<double>(y[e]) - x[e]);
    sum_sq += error * error;
    // Nearest grid point: distance to the grid's range plus at most half a step.
    const double outside = x[e] < g.lo ? g.lo - x[e] : x[e] > hi ? x[e] - hi : 0.0;
    const double tolerance = 1e-5 * (std::fabs(x[e]) + g.step * g.steps) + 1e-30;
    const double bound = outside + 0.5 * g.step + tolerance;
    const bool on_range = y[e] >= g.lo - tolerance && y[e] <= hi + tolerance;
    if (error > bound || !on_range) {
      if (++failures <= 5) {
        MESSAGE(std::string(traits->name) << " element " << e << ": x=" << x[e] << " y=" << y[e] << " grid lo=" << g.lo
                             << " step=" << g.step << " bound=" << bound);
      }
    }
    if (g.step > 0) result.max_grid_excess = std::max(result.max_grid_excess, (error - outside) / g.step);
  }
  CHECK_MESSAGE(failures == 0, std::string(traits->name) << ": " << failures << " elements off their nearest grid point");
  result.rms = std::sqrt(sum_sq / static_cast<double>(n));
  return result;
}

// Every block's range as the format defines the scale must cover its data.
void check_symmetric_scale_choice(TensorType type, int64_t blocks) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  const int64_t n = blocks * 32;
  const std::vector<float> x = make_row(n, 32, 99, true);
  std::vector<uint8_t> packed(static_cast<size_t>(quant_row_bytes(type, n)));
  traits->quantize_row(x.data(), packed.data(), n);
  std::vector<float> y(static_cast<size_t>(n));
  traits->dequantize_row(packed.data(), y.data(), n);
  for (int64_t b = 0; b < blocks; ++b) {
    float amax = 0;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[b * 32 + i]));
    uint16_t d_bits;
    std::memcpy(&d_bits, packed.data() + b * traits->block_bytes, 2);
    const float d = std::fabs(f16_to_f32(d_bits));
    const float divisor = type == TensorType::q4_0 ? 8.0f : type == TensorType::q5_0 ? 16.0f : 127.0f;
    CHECK(d == doctest::Approx(amax / divisor).epsilon(1e-3));
    // So no element is ever further than one step (the far side of the grid is one step short).
    const float max_error_steps = type == TensorType::q8_0 ? 0.5f : 1.0f;
    for (int i = 0; i < 32; ++i) CHECK(std::fabs(y[b * 32 + i] - x[b * 32 + i]) <= max_error_steps * d * 1.001f + 1e-30f);
  }
}

const TensorType kQuantTypes[] = {TensorType::q4_0, TensorType::q4_1, TensorType::q5_0, TensorType::q5_1,
                                  TensorType::q8_0, TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};

}  // namespace

TEST_CASE("every block format round-trips 1, 7 and 33 blocks onto the nearest grid point") {
  for (TensorType type : kQuantTypes) {
    for (int64_t blocks : {1, 7, 33}) {
      for (bool hostile : {false, true}) {
        const std::string name = quant_type_traits(type)->name;
        CAPTURE(name);
        CAPTURE(blocks);
        CAPTURE(hostile);
        check_round_trip(type, blocks, static_cast<uint32_t>(blocks * 31 + hostile), hostile);
      }
    }
  }
}

TEST_CASE("RMS round-trip error on N(0,1) data stays within each format's budget") {
  // Budgets: about 1.3x the uniform-noise error step/sqrt(12) of each format's
  // typical step on N(0,1) blocks; a wrong layout or scale gives errors near 1.
  struct Budget {
    TensorType type;
    double max_rms;
  };
  const Budget budgets[] = {
      {TensorType::q4_0, 0.110}, {TensorType::q4_1, 0.090}, {TensorType::q5_0, 0.055}, {TensorType::q5_1, 0.045},
      {TensorType::q8_0, 0.0070}, {TensorType::q4_k, 0.085}, {TensorType::q5_k, 0.042}, {TensorType::q6_k, 0.021},
  };
  for (const Budget &budget : budgets) {
    const RoundTrip r = check_round_trip(budget.type, 256, 7, false);  // 256 blocks: a stable estimate
    MESSAGE(std::string(quant_type_traits(budget.type)->name) << " RMS error on N(0,1): " << r.rms);
    CHECK(r.rms < budget.max_rms);
    CHECK(r.rms > 0.0);
  }
}

TEST_CASE("legacy symmetric formats pick d = amax / (half range) and never miss by more than a step") {
  check_symmetric_scale_choice(TensorType::q4_0, 33);
  check_symmetric_scale_choice(TensorType::q5_0, 33);
  check_symmetric_scale_choice(TensorType::q8_0, 33);
}

TEST_CASE("zero rows quantize to exact zeros in every format") {
  for (TensorType type : kQuantTypes) {
    const QuantTypeTraits *traits = quant_type_traits(type);
    const int64_t n = 7 * traits->block_elements;
    std::vector<float> x(static_cast<size_t>(n), 0.0f), y(static_cast<size_t>(n), 1.0f);
    std::vector<uint8_t> packed(static_cast<size_t>(quant_row_bytes(type, n)));
    traits->quantize_row(x.data(), packed.data(), n);
    traits->dequantize_row(packed.data(), y.data(), n);
    for (float v : y) CHECK(v == 0.0f);
  }
}

TEST_CASE("quantizers are deterministic") {
  for (TensorType type : kQuantTypes) {
    const QuantTypeTraits *traits = quant_type_traits(type);
    const int64_t n = 3 * traits->block_elements;
    const std::vector<float> x = make_row(n, static_cast<int>(traits->block_elements), 5, true);
    std::vector<uint8_t> a(static_cast<size_t>(quant_row_bytes(type, n))), b(a.size(), 1);
    traits->quantize_row(x.data(), a.data(), n);
    traits->quantize_row(x.data(), b.data(), n);
    CHECK(a == b);
  }
}
