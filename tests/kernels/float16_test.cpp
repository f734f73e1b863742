// f16 / bf16 <-> f32: exhaustive round trips, rounding ties to even, inf/NaN,
// denormals, and agreement with the compiler's own _Float16 conversion.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <ios>
#include <limits>
#include <random>

#include "kernels/quant/float16.h"

using namespace ballast;

namespace {
bool f16_is_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0; }
bool bf16_is_nan(uint16_t h) { return (h & 0x7f80) == 0x7f80 && (h & 0x7f) != 0; }
}  // namespace

TEST_CASE("f16: every one of the 65536 values round-trips through f32 exactly") {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const uint16_t h = static_cast<uint16_t>(bits);
    const float f = f16_to_f32(h);
    CHECK_MESSAGE(f32_to_f16(f) == h, "f16 bits 0x" << std::hex << bits);
    CHECK(std::isnan(f) == f16_is_nan(h));
  }
}

TEST_CASE("f16: known values, denormals, overflow and infinities") {
  CHECK(f32_to_f16(1.0f) == 0x3c00);
  CHECK(f32_to_f16(-2.0f) == 0xc000);
  CHECK(f32_to_f16(0.5f) == 0x3800);
  CHECK(f32_to_f16(65504.0f) == 0x7bff);
  CHECK(f32_to_f16(-0.0f) == 0x8000);
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // smallest denormal
  CHECK(f16_to_f32(0x03ff) == std::ldexp(1023.0f, -24));  // largest denormal
  CHECK(f16_to_f32(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);
  CHECK(f32_to_f16(std::ldexp(1.0f, -26)) == 0x0000);  // far below half the smallest denormal
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);  // exactly half: tie to even (0)
  CHECK(f32_to_f16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)) == 0x0001);  // just above half
  CHECK(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);  // 1.5 ulp: tie between 1 and 2 -> 2 (even)
  CHECK(f32_to_f16(std::ldexp(5.0f, -25)) == 0x0002);  // 2.5 ulp: tie between 2 and 3 -> 2 (even)
  CHECK(f32_to_f16(std::ldexp(2047.0f, -25)) == 0x0400);  // largest denormal + half ulp -> carries into normal
  CHECK(f32_to_f16(65519.0f) == 0x7bff);  // below the halfway point to 65536
  CHECK(f32_to_f16(65520.0f) == 0x7c00);  // halfway, odd mantissa: to even = inf
  CHECK(f32_to_f16(1e10f) == 0x7c00);
  CHECK(f32_to_f16(-1e10f) == 0xfc00);
  CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7c00);
  CHECK(f32_to_f16(-std::numeric_limits<float>::infinity()) == 0xfc00);
  CHECK(std::isinf(f16_to_f32(0x7c00)));
  CHECK(f16_is_nan(f32_to_f16(std::numeric_limits<float>::quiet_NaN())));
  CHECK(f16_is_nan(f32_to_f16(f32_from_bits(0x7f800001u))));  // payload only in low bits: still NaN
  CHECK(f16_is_nan(f32_to_f16(f32_from_bits(0xff800001u))));
  CHECK(std::isnan(f16_to_f32(0x7e00)));
  CHECK(std::isnan(f16_to_f32(0x7c01)));
}

TEST_CASE("f16: rounding ties to even in the normal range") {
  // Near 1.0 the f16 ulp is 2^-10.
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);  // tie, 0x3c00 even -> stays
  CHECK(f32_to_f16(1.0f + std::ldexp(3.0f, -11)) == 0x3c02);  // tie between 0x3c01 and 0x3c02 -> even
  CHECK(f32_to_f16(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)) == 0x3c01);  // just above the tie
  CHECK(f32_to_f16(std::nextafter(1.0f + std::ldexp(3.0f, -11), 0.0f)) == 0x3c01);  // just below the tie
  CHECK(f32_to_f16(-(1.0f + std::ldexp(3.0f, -11))) == 0xbc02);
  CHECK(f32_to_f16(2048.0f + 1.0f) == f32_to_f16(2048.0f));  // ulp 2 at 2048: 2049 ties to even 2048
  CHECK(f32_to_f16(2048.0f + 3.0f) == f32_to_f16(2052.0f));
}

// The compiler's own half type: ARM's __fp16 where it exists (g++ 12 has no
// C++ _Float16 on ARM, only in C), else _Float16 (x86 g++ 12, clang).
#if defined(__ARM_FP16_FORMAT_IEEE)
using CompilerHalf = __fp16;
#define BALLAST_TEST_COMPILER_HALF 1
#elif defined(__FLT16_MAX__)
using CompilerHalf = _Float16;
#define BALLAST_TEST_COMPILER_HALF 1
#endif

#if defined(BALLAST_TEST_COMPILER_HALF)
TEST_CASE("f16: agrees bit for bit with the compiler's _Float16 conversion") {
  std::mt19937 rng(1234);
  int mismatches = 0;
  for (int i = 0; i < 2000000; ++i) {
    uint32_t bits = rng();
    if (i % 2 == 0) bits = (bits & 0x807fffffu) | ((100u + bits % 60u) << 23);  // concentrate on f16's range
    const float f = f32_from_bits(bits);
    if (std::isnan(f)) continue;
    const CompilerHalf reference = static_cast<CompilerHalf>(f);
    uint16_t reference_bits;
    std::memcpy(&reference_bits, &reference, sizeof reference_bits);
    if (f32_to_f16(f) != reference_bits) ++mismatches;
    if (f16_to_f32(reference_bits) != static_cast<float>(reference)) ++mismatches;
  }
  CHECK(mismatches == 0);
}
#endif

TEST_CASE("bf16: every non-NaN value round-trips exactly; NaN stays NaN") {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const uint16_t h = static_cast<uint16_t>(bits);
    const float f = bf16_to_f32(h);
    if (bf16_is_nan(h)) {
      CHECK(std::isnan(f));
      CHECK(bf16_is_nan(f32_to_bf16(f)));
    } else {
      CHECK_MESSAGE(f32_to_bf16(f) == h, "bf16 bits 0x" << std::hex << bits);
    }
  }
}

TEST_CASE("bf16: ties to even, overflow, infinities, denormals") {
  CHECK(f32_to_bf16(1.0f) == 0x3f80);
  CHECK(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);  // tie -> even (stays)
  CHECK(f32_to_bf16(1.0f + std::ldexp(3.0f, -8)) == 0x3f82);  // tie -> even (up)
  CHECK(f32_to_bf16(std::nextafter(1.0f + std::ldexp(1.0f, -8), 2.0f)) == 0x3f81);
  CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7f80);  // rounds up to inf
  CHECK(f32_to_bf16(-std::numeric_limits<float>::infinity()) == 0xff80);
  CHECK(f32_to_bf16(f32_from_bits(0x00000001u)) == 0x0000);  // tiny denormal rounds to 0
  CHECK(f32_to_bf16(f32_from_bits(0x00018000u)) == 0x0002);  // denormal tie -> even
  CHECK(bf16_is_nan(f32_to_bf16(f32_from_bits(0x7f800001u))));  // NaN with low payload only
  CHECK(bf16_to_f32(0xc040) == -3.0f);
}
