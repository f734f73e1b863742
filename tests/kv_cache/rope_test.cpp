#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/quant/float16.h"
#include "kernels/rope/rope.h"

using namespace ballast;

namespace {

RopeConfig make_config(RopeStyle style, uint32_t head_dim, uint32_t rope_dim, const float *factors = nullptr) {
  RopeConfig c;
  c.style = style;
  c.head_dim = head_dim;
  c.rope_dim = rope_dim;
  c.freq_base = 10000.0;
  c.freq_factors = factors;
  return c;
}

// Long-double RoPE straight from the definition, for one head.
std::vector<long double> reference_rotate(const RopeConfig &c, const std::vector<float> &x, int64_t position) {
  std::vector<long double> out(x.begin(), x.end());
  const uint32_t half = c.rope_dim / 2;
  for (uint32_t i = 0; i < half; ++i) {
    long double frequency = static_cast<long double>(c.freq_scale) *
                            std::pow(static_cast<long double>(c.freq_base), -2.0L * i / c.rope_dim);
    if (c.freq_factors) frequency /= c.freq_factors[i];
    const long double angle = static_cast<long double>(position) * frequency;
    const uint32_t a = c.style == RopeStyle::norm ? 2 * i : i;
    const uint32_t b = c.style == RopeStyle::norm ? 2 * i + 1 : i + half;
    out[a] = x[a] * std::cos(angle) - x[b] * std::sin(angle);
    out[b] = x[a] * std::sin(angle) + x[b] * std::cos(angle);
  }
  return out;
}

std::vector<float> random_vector(std::mt19937 &rng, size_t n) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float &v : x) v = dist(rng);
  return x;
}

double max_abs_diff(const std::vector<float> &a, const std::vector<long double> &b) {
  double m = 0.0;
  for (size_t i = 0; i < a.size(); ++i) m = std::fmax(m, std::fabs(static_cast<double>(a[i] - b[i])));
  return m;
}

}  // namespace

TEST_CASE("rope norm rotates adjacent pairs, neox rotates halves") {
  // Unit vector on element 0 at position 1: pair 0 turns by 1 rad.
  for (RopeStyle style : {RopeStyle::norm, RopeStyle::neox}) {
    CAPTURE(rope_style_name(style));
    const RopeConfig c = make_config(style, 8, 8);
    std::vector<float> x(8, 0.0f);
    x[0] = 1.0f;
    rope_rotate_f32(c, 1, x.data(), 1);
    const uint32_t partner = style == RopeStyle::norm ? 1 : 4;
    CHECK(x[0] == doctest::Approx(std::cos(1.0)).epsilon(1e-7));
    CHECK(x[partner] == doctest::Approx(std::sin(1.0)).epsilon(1e-7));
    for (uint32_t i = 0; i < 8; ++i) {
      if (i != 0 && i != partner) CHECK(x[i] == 0.0f);
    }
  }
}

TEST_CASE("rope matches a long-double reference for both styles, partial rope_dim and frequency factors") {
  std::mt19937 rng(7);
  const float factors[8] = {1.0f, 1.0f, 2.0f, 4.0f, 8.0f, 8.0f, 1.5f, 32.0f};
  struct Case {
    RopeStyle style;
    uint32_t head_dim, rope_dim;
    const float *factors;
  } cases[] = {{RopeStyle::norm, 16, 16, nullptr}, {RopeStyle::neox, 16, 16, nullptr}, {RopeStyle::norm, 24, 16, factors},
               {RopeStyle::neox, 24, 16, factors}, {RopeStyle::neox, 64, 64, nullptr}, {RopeStyle::norm, 10, 4, nullptr}};
  for (const Case &cs : cases) {
    const RopeConfig c = make_config(cs.style, cs.head_dim, cs.rope_dim, cs.factors);
    REQUIRE(validate_rope_config(c).is_ok());
    for (int64_t position : {int64_t{0}, int64_t{1}, int64_t{5}, int64_t{4095}, int64_t{-17}, int64_t{123456}}) {
      CAPTURE(position);
      const std::vector<float> x = random_vector(rng, c.head_dim);
      const std::vector<long double> expected = reference_rotate(c, x, position);
      std::vector<float> got = x;
      rope_rotate_f32(c, position, got.data(), 1);
      CHECK(max_abs_diff(got, expected) < 2e-6);
      // Table route, out of place: same result; dims past rope_dim copied.
      std::vector<float> table(c.rope_dim), out(c.head_dim, -99.0f);
      rope_cos_sin(c, position, table.data());
      rope_apply_f32(c, table.data(), x.data(), out.data(), 1);
      CHECK(max_abs_diff(out, expected) < 2e-6);
      for (uint32_t d = c.rope_dim; d < c.head_dim; ++d) CHECK(out[d] == x[d]);
    }
  }
}

TEST_CASE("rope angles stay exact near position 10^9 (float32 angles would not)") {
  std::mt19937 rng(11);
  const RopeConfig c = make_config(RopeStyle::neox, 64, 64);
  double worst_ours = 0.0, worst_float_angles = 0.0;
  for (int64_t k = 0; k < 50; ++k) {
    const int64_t position = 1000000000 + k * 7919;
    const std::vector<float> x = random_vector(rng, c.head_dim);
    const std::vector<long double> expected = reference_rotate(c, x, position);
    std::vector<float> got = x;
    rope_rotate_f32(c, position, got.data(), 1);
    worst_ours = std::fmax(worst_ours, max_abs_diff(got, expected));
    // What float32 angle math gives: angle = float(position) * float(freq).
    std::vector<float> naive = x;
    for (uint32_t i = 0; i < 32; ++i) {
      const float angle = static_cast<float>(position) * static_cast<float>(std::pow(10000.0, -2.0 * i / 64));
      const float x0 = naive[i], x1 = naive[i + 32];
      naive[i] = x0 * std::cos(angle) - x1 * std::sin(angle);
      naive[i + 32] = x0 * std::sin(angle) + x1 * std::cos(angle);
    }
    worst_float_angles = std::fmax(worst_float_angles, max_abs_diff(naive, expected));
  }
  MESSAGE("position ~1e9: worst |ours - long double| = " << worst_ours << ", float32 angles: " << worst_float_angles);
  CHECK(worst_ours < 1e-5);
  CHECK(worst_float_angles > 0.1);  // the test would catch float angle math
}

TEST_CASE("rope re-rotation by a position delta composes exactly") {
  std::mt19937 rng(3);
  for (RopeStyle style : {RopeStyle::norm, RopeStyle::neox}) {
    const RopeConfig c = make_config(style, 32, 32);
    const std::vector<float> x = random_vector(rng, 2 * c.head_dim);  // two heads
    for (int64_t delta : {int64_t{-1000}, int64_t{-1}, int64_t{1}, int64_t{777}}) {
      std::vector<float> twice = x, once = x;
      rope_rotate_f32(c, 5000, twice.data(), 2);
      std::vector<float> table(c.rope_dim);
      rope_cos_sin(c, delta, table.data());
      rope_apply_f32(c, table.data(), twice.data(), twice.data(), 2);
      rope_rotate_f32(c, 5000 + delta, once.data(), 2);
      for (size_t i = 0; i < x.size(); ++i) CHECK(twice[i] == doctest::Approx(once[i]).epsilon(1e-5).scale(1.0));
    }
  }
}

TEST_CASE("rope preserves each pair norm and f16 variants round once") {
  std::mt19937 rng(5);
  const RopeConfig c = make_config(RopeStyle::norm, 16, 16);
  const std::vector<float> x = random_vector(rng, 3 * c.head_dim);
  std::vector<float> table(c.rope_dim), rotated(x.size());
  rope_cos_sin(c, 31337, table.data());
  rope_apply_f32(c, table.data(), x.data(), rotated.data(), 3);
  for (size_t i = 0; i < x.size(); i += 2) {
    CHECK(std::hypot(rotated[i], rotated[i + 1]) == doctest::Approx(std::hypot(x[i], x[i + 1])).epsilon(1e-6));
  }
  std::vector<uint16_t> direct(x.size()), half_in(x.size()), half_out(x.size());
  rope_apply_f32_to_f16(c, table.data(), x.data(), direct.data(), 3);
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(direct[i] == f32_to_f16(rotated[i]));
    half_in[i] = f32_to_f16(x[i]);
  }
  rope_apply_f16(c, table.data(), half_in.data(), half_out.data(), 3);
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(f16_to_f32(half_out[i]) == doctest::Approx(rotated[i]).epsilon(2e-3).scale(1.0));
  }
}

TEST_CASE("rope config validation names the problem") {
  RopeConfig c = make_config(RopeStyle::norm, 16, 15);
  CHECK(validate_rope_config(c).code() == StatusCode::invalid_argument);
  c.rope_dim = 18;
  CHECK(validate_rope_config(c).message().find("exceeds head_dim") != std::string::npos);
  c.rope_dim = 16;
  c.freq_base = 0.0;
  CHECK_FALSE(validate_rope_config(c).is_ok());
  c.freq_base = 10000.0;
  const float bad[8] = {1, 1, 0, 1, 1, 1, 1, 1};
  c.freq_factors = bad;
  CHECK(validate_rope_config(c).message().find("factor 2") != std::string::npos);
  c.freq_factors = nullptr;
  CHECK(validate_rope_config(c).is_ok());
}
