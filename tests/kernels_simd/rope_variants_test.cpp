// The SIMD RoPE row rotations of the dispatch table (KernelTable::rope)
// against the scalar reference, bit for bit: both pairings, head dims and
// rope dims around the vector widths (whole vectors, vector + pair tails,
// partial rotation with copied dims), 1..9 heads, in place and out of
// place, f32 / f16 / f32 -> f16, positive and negative positions (the
// cache's rebase deltas), values from f16 denormals to large. Nothing
// outside the rows is written. A level the CPU lacks, or a level whose
// table keeps the scalar rotations (armv7), is reported with MESSAGE.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/quant/float16.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

// The tables of every SIMD level this CPU runs whose rope is not scalar.
std::vector<KernelTable> rope_tables() {
  std::vector<KernelTable> tables;
  for (IsaLevel level : {IsaLevel::avx2, IsaLevel::avx512, IsaLevel::neon, IsaLevel::dotprod, IsaLevel::i8mm}) {
    if (!cpu_supports_isa_level(host_cpu_features(), level)) continue;
    Result<KernelTable> table = build_kernel_table(level, host_cpu_features());
    REQUIRE(table.is_ok());
    if (std::string(table.value().rope_variant) == "scalar") {
      MESSAGE("skipped level " << std::string(isa_level_name(level)) << ": its table keeps the scalar RoPE");
      continue;
    }
    tables.push_back(table.value());
  }
  if (tables.empty()) MESSAGE("skipped: no SIMD RoPE variant runs on this CPU");
  return tables;
}

struct Shape {
  uint32_t head_dim, rope_dim;
};
// Whole vectors (64, 128), vector + pair tails in both pairings (18, 34, 80:
// neox half 40), partial rotation (64/32, 20/12, 16/2), tiny rows (2, 6).
const Shape kShapes[] = {{64, 64}, {128, 128}, {80, 80}, {18, 18}, {34, 34}, {64, 32},
                         {20, 12}, {6, 6},     {2, 2},   {16, 2}};
const uint32_t kHeads[] = {1, 3, 9};
const int64_t kPositions[] = {0, 1, 37, 5000, -3, -2044};
constexpr size_t kGuard = 16;  // elements after the rows that must stay untouched

std::vector<float> random_rows(size_t n, std::mt19937 &rng) {
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> v(n);
  for (float &x : v) x = normal(rng);
  const float specials[] = {0.0f, -0.0f, 3e-7f /* f16 denormal */, -6.5e4f, 1e-3f, 300.0f};
  for (size_t i = 0; i < n && i < 6; ++i) v[(i * 7) % n] = specials[i];
  return v;
}

template <typename T>
bool same_bits(const std::vector<T> &a, const std::vector<T> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("SIMD RoPE rotations equal the scalar reference bit for bit") {
  const std::vector<KernelTable> tables = rope_tables();
  const RopeKernels scalar = rope_kernels_scalar();
  std::mt19937 rng(53);
  int checked = 0;
  for (const KernelTable &table : tables) {
    const std::string variant = table.rope_variant;
    CAPTURE(variant);
    const RopeKernels &simd = table.rope;
    for (RopeStyle style : {RopeStyle::norm, RopeStyle::neox}) {
      for (const Shape &shape : kShapes) {
        RopeConfig config;
        config.style = style;
        config.head_dim = shape.head_dim;
        config.rope_dim = shape.rope_dim;
        config.freq_base = 10000.0;
        REQUIRE(validate_rope_config(config).is_ok());
        std::vector<float> cos_sin(shape.rope_dim);
        for (uint32_t heads : kHeads) {
          for (int64_t position : kPositions) {
            const std::string pairing = rope_style_name(style);
            CAPTURE(pairing);
            CAPTURE(shape.head_dim);
            CAPTURE(shape.rope_dim);
            CAPTURE(heads);
            CAPTURE(position);
            rope_cos_sin(config, position, cos_sin.data());
            const size_t n = size_t{heads} * shape.head_dim;
            const std::vector<float> x = random_rows(n, rng);
            std::vector<uint16_t> x16(n);
            for (size_t i = 0; i < n; ++i) x16[i] = f32_to_f16(x[i]);

            // f32, out of place (dims past rope_dim copied) and in place.
            std::vector<float> want(n + kGuard, 7.0f), got(n + kGuard, 7.0f);
            scalar.apply_f32(config, cos_sin.data(), x.data(), want.data(), heads);
            simd.apply_f32(config, cos_sin.data(), x.data(), got.data(), heads);
            CHECK(same_bits(want, got));
            std::vector<float> in_place = x;
            in_place.resize(n + kGuard, 7.0f);
            simd.apply_f32(config, cos_sin.data(), in_place.data(), in_place.data(), heads);
            CHECK(same_bits(want, in_place));

            // f16 -> f16, out of place and in place.
            std::vector<uint16_t> want16(n + kGuard, 0x1234), got16(n + kGuard, 0x1234);
            scalar.apply_f16(config, cos_sin.data(), x16.data(), want16.data(), heads);
            simd.apply_f16(config, cos_sin.data(), x16.data(), got16.data(), heads);
            CHECK(same_bits(want16, got16));
            std::vector<uint16_t> in_place16 = x16;
            in_place16.resize(n + kGuard, 0x1234);
            simd.apply_f16(config, cos_sin.data(), in_place16.data(), in_place16.data(), heads);
            CHECK(same_bits(want16, in_place16));

            // f32 -> f16 (the cache's key stores).
            std::vector<uint16_t> want_store(n + kGuard, 0x4321), got_store(n + kGuard, 0x4321);
            scalar.apply_f32_to_f16(config, cos_sin.data(), x.data(), want_store.data(), heads);
            simd.apply_f32_to_f16(config, cos_sin.data(), x.data(), got_store.data(), heads);
            CHECK(same_bits(want_store, got_store));
            ++checked;
          }
        }
      }
    }
  }
  if (!tables.empty()) CHECK(checked > 0);
}

TEST_CASE("the dispatch table names its RoPE variant and fills every rotation") {
  Result<const KernelTable *> table = host_kernel_table();
  REQUIRE(table.is_ok());
  const std::string name = table.value()->rope_variant;
  CHECK((name == "scalar" || name == "avx2" || name == "neon"));
  CHECK((table.value()->rope.apply_f32 != nullptr));
  CHECK((table.value()->rope.apply_f16 != nullptr));
  CHECK((table.value()->rope.apply_f32_to_f16 != nullptr));
}
