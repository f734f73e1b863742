// The SIMD rms_norm and silu_mul of the dispatch table (AVX2, NEON) against
// the scalar references, on awkward sizes (1..67 elements: every tail length
// around the 4- and 8-wide bodies; 1000 and 1001; the model widths 576, 1536,
// 2048, 5632) and awkward values (large |g| where exp overflows or vanishes,
// zeros, in-place calls). A level this build did not compile or this CPU
// lacks is reported with MESSAGE as skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/dispatch/kernel_variants.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

std::vector<int64_t> awkward_sizes() {
  std::vector<int64_t> sizes;
  for (int64_t n = 1; n <= 67; ++n) sizes.push_back(n);
  for (int64_t n : {576, 1000, 1001, 1536, 2048, 5632}) sizes.push_back(n);
  return sizes;
}

struct SimdTable {
  KernelTable table;
  const char *expected;  // the rms_norm / silu_mul variant the level must pick
};

// The tables of every SIMD level this build compiled and this CPU runs
// (AVX-512 has no rms_norm / silu_mul of its own: it keeps AVX2's).
std::vector<SimdTable> simd_tables() {
  struct Level {
    IsaLevel level;
    const char *expected;
  };
  std::vector<SimdTable> tables;
  for (Level l : {Level{IsaLevel::avx2, "avx2"}, Level{IsaLevel::avx512, "avx2"}, Level{IsaLevel::neon, "neon"}}) {
    if (!kernel_variant_compiled(l.level)) {
      MESSAGE("skipped level " << std::string(isa_level_name(l.level)) << ": not compiled in this build");
      continue;
    }
    if (!cpu_supports_isa_level(host_cpu_features(), l.level)) {
      MESSAGE("skipped level " << std::string(isa_level_name(l.level)) << ": this CPU lacks it");
      continue;
    }
    Result<KernelTable> table = build_kernel_table(l.level, host_cpu_features());
    REQUIRE(table.is_ok());
    tables.push_back({table.value(), l.expected});
  }
  return tables;
}

}  // namespace

TEST_CASE("SIMD silu_mul matches scalar within 4e-7 relative on awkward sizes and values") {
  std::mt19937 rng(41);
  for (const SimdTable &simd : simd_tables()) {
    const KernelTable &table = simd.table;
    const std::string level = isa_level_name(table.level), variant = table.silu_mul_variant;
    CAPTURE(level);
    CAPTURE(variant);
    CHECK(variant == simd.expected);
    for (int64_t n : awkward_sizes()) {
      std::normal_distribution<float> normal(0.0f, 4.0f);
      std::vector<float> gate(static_cast<size_t>(n)), up(static_cast<size_t>(n));
      for (float &v : gate) v = normal(rng);
      for (float &v : up) v = normal(rng);
      if (n > 6) {  // exp(-g) overflows / vanishes, zero, tiny
        gate[0] = -100.0f;
        gate[1] = 100.0f;
        gate[2] = 0.0f;
        gate[3] = -88.5f;
        gate[4] = 1e-30f;
        gate[5] = -20.0f;
      }
      std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n));
      silu_mul_scalar(gate.data(), up.data(), want.data(), n);
      table.silu_mul(gate.data(), up.data(), got.data(), n);
      int bad = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double tolerance = 4e-7 * std::fabs(double{want[i]}) + 1e-35;
        if (!(std::fabs(double{got[i]} - want[i]) <= tolerance) && bad++ == 0) {
          FAIL_CHECK("n=" << n << " i=" << i << " gate=" << gate[i] << ": " << got[i] << " vs " << want[i]);
        }
      }
      // In place (the forward pass writes over gate).
      std::vector<float> inplace = gate;
      table.silu_mul(inplace.data(), up.data(), inplace.data(), n);
      CHECK_MESSAGE(inplace == got, "n=" << n);
      CHECK_MESSAGE(bad == 0, "n=" << n);
    }
  }
}

TEST_CASE("SIMD rms_norm matches scalar within one f32 rounding of the scale on awkward sizes") {
  std::mt19937 rng(42);
  for (const SimdTable &simd : simd_tables()) {
    const KernelTable &table = simd.table;
    const std::string level = isa_level_name(table.level), variant = table.rms_norm_variant;
    CAPTURE(level);
    CAPTURE(variant);
    CHECK(variant == simd.expected);
    for (int64_t n : awkward_sizes()) {
      for (float sigma : {1e-3f, 1.0f, 300.0f}) {
        const int64_t rows = 3;
        std::normal_distribution<float> normal(0.0f, sigma);
        std::vector<float> x(static_cast<size_t>(rows * n)), weight(static_cast<size_t>(n));
        for (float &v : x) v = normal(rng);
        for (float &v : weight) v = 1.0f + 0.1f * normal(rng) / sigma;
        std::vector<float> want(x.size()), got(x.size());
        rms_norm_rows_scalar(x.data(), weight.data(), want.data(), rows, n, 1e-5f);
        table.rms_norm_rows(x.data(), weight.data(), got.data(), rows, n, 1e-5f);
        int bad = 0;
        for (size_t i = 0; i < x.size(); ++i) {
          // Same formula; only the double sum's order differs, which can move
          // the f32 scale by one ulp (2^-23 relative) and so each output by ~2 ulp.
          const double tolerance = 3e-7 * std::fabs(double{want[i]}) + 1e-38;
          if (!(std::fabs(double{got[i]} - want[i]) <= tolerance)) ++bad;
        }
        CHECK_MESSAGE(bad == 0, "n=" << n << " sigma=" << sigma);
        // In place.
        std::vector<float> inplace = x;
        table.rms_norm_rows(inplace.data(), weight.data(), inplace.data(), rows, n, 1e-5f);
        CHECK_MESSAGE(inplace == got, "n=" << n);
      }
    }
  }
}
