// The pure CPUID/XGETBV and ARM hwcap decoders, fed synthetic register
// values (so the ARM and the "OS disabled it" paths are tested on any host).
#include <doctest/doctest.h>

#include "platform/arm_hwcaps.h"
#include "platform/x86_cpuid.h"

using namespace ballast;

namespace {

constexpr uint32_t bit(int index) { return 1u << index; }

// A Sapphire-Rapids-like CPU: everything we decode is present.
X86CpuidRegisters all_x86_features() {
  X86CpuidRegisters regs;
  regs.max_basic_leaf = 0x20;
  regs.leaf1_ecx = bit(12) | bit(20) | bit(27) | bit(28) | bit(29);  // fma sse4.2 osxsave avx f16c
  regs.leaf7_ebx = bit(5) | bit(16) | bit(17) | bit(30) | bit(31);   // avx2 avx512f/dq/bw/vl
  regs.leaf7_ecx = bit(11);                                          // avx512vnni
  regs.leaf7_edx = bit(22) | bit(23) | bit(24) | bit(25);            // amx-bf16 avx512fp16 amx-tile amx-int8
  regs.leaf7_1_eax = bit(4) | bit(5);                                // avx-vnni avx512bf16
  regs.xcr0 = kXcr0AvxState | kXcr0Avx512State | kXcr0AmxState | 1;  // + x87
  return regs;
}

}  // namespace

TEST_CASE("x86 decoder: all bits and all OS state gives every flag") {
  CpuFeatures f;
  decode_x86_cpuid(all_x86_features(), &f);
  CHECK(f.sse4_2);
  CHECK(f.avx);
  CHECK(f.avx2);
  CHECK(f.fma);
  CHECK(f.f16c);
  CHECK(f.avx512f);
  CHECK(f.avx512bw);
  CHECK(f.avx512vl);
  CHECK(f.avx512dq);
  CHECK(f.avx512vnni);
  CHECK(f.avx512bf16);
  CHECK(f.avx512fp16);
  CHECK(f.avx_vnni);
  CHECK(f.amx_tile);
  CHECK(f.amx_int8);
  CHECK(f.amx_bf16);
  CHECK_FALSE(f.neon);  // untouched
}

TEST_CASE("x86 decoder: each feature comes from its own bit") {
  X86CpuidRegisters regs = all_x86_features();
  regs.leaf7_edx &= ~bit(23);
  CpuFeatures f;
  decode_x86_cpuid(regs, &f);
  CHECK_FALSE(f.avx512fp16);
  CHECK(f.amx_tile);

  regs = all_x86_features();
  regs.leaf7_1_eax &= ~bit(4);
  decode_x86_cpuid(regs, &f);
  CHECK_FALSE(f.avx_vnni);
  CHECK(f.avx512bf16);

  regs = all_x86_features();
  regs.leaf7_ebx &= ~bit(30);
  decode_x86_cpuid(regs, &f);
  CHECK_FALSE(f.avx512bw);
  CHECK(f.avx512vl);
}

TEST_CASE("x86 decoder: features the OS does not enable in XCR0 are off") {
  SUBCASE("no ZMM/opmask state: AVX-512 off, AVX2 still on") {
    X86CpuidRegisters regs = all_x86_features();
    regs.xcr0 &= ~(1ull << 6);
    CpuFeatures f;
    decode_x86_cpuid(regs, &f);
    CHECK(f.avx2);
    CHECK(f.avx_vnni);
    CHECK_FALSE(f.avx512f);
    CHECK_FALSE(f.avx512bw);
    CHECK_FALSE(f.avx512fp16);
    CHECK(f.amx_tile);
  }
  SUBCASE("no YMM state: nothing AVX") {
    X86CpuidRegisters regs = all_x86_features();
    regs.xcr0 &= ~(1ull << 2);
    CpuFeatures f;
    decode_x86_cpuid(regs, &f);
    CHECK(f.sse4_2);
    CHECK_FALSE(f.avx);
    CHECK_FALSE(f.avx2);
    CHECK_FALSE(f.fma);
    CHECK_FALSE(f.f16c);
    CHECK_FALSE(f.avx512f);
  }
  SUBCASE("no AMX tile state: AMX off") {
    X86CpuidRegisters regs = all_x86_features();
    regs.xcr0 &= ~(1ull << 18);
    CpuFeatures f;
    decode_x86_cpuid(regs, &f);
    CHECK_FALSE(f.amx_tile);
    CHECK_FALSE(f.amx_int8);
    CHECK_FALSE(f.amx_bf16);
    CHECK(f.avx512fp16);
  }
  SUBCASE("OSXSAVE clear: XCR0 is not trusted at all") {
    X86CpuidRegisters regs = all_x86_features();
    regs.leaf1_ecx &= ~bit(27);
    CpuFeatures f;
    decode_x86_cpuid(regs, &f);
    CHECK(f.sse4_2);
    CHECK_FALSE(f.avx);
    CHECK_FALSE(f.avx512f);
    CHECK_FALSE(f.amx_tile);
  }
}

TEST_CASE("x86 decoder: leaf 7 is ignored when the CPU does not have it") {
  X86CpuidRegisters regs = all_x86_features();
  regs.max_basic_leaf = 6;
  CpuFeatures f;
  decode_x86_cpuid(regs, &f);
  CHECK(f.avx);
  CHECK(f.fma);
  CHECK_FALSE(f.avx2);
  CHECK_FALSE(f.avx512f);
  CHECK_FALSE(f.amx_tile);

  regs.max_basic_leaf = 0;
  decode_x86_cpuid(regs, &f);
  CHECK_FALSE(f.sse4_2);
  CHECK_FALSE(f.avx);
}

TEST_CASE("aarch64 hwcap decoder: Pi 3/4, Pi 5 and a v9 core") {
  CpuFeatures f;
  SUBCASE("cortex-a53/a72: fp + asimd only") {
    decode_aarch64_hwcaps(kAarch64HwcapFp | kAarch64HwcapAsimd, 0, &f);
    CHECK(f.neon);
    CHECK_FALSE(f.fp16_arith);
    CHECK_FALSE(f.dotprod);
    CHECK_FALSE(f.i8mm);
    CHECK_FALSE(f.sve);
  }
  SUBCASE("cortex-a76: + fp16 + dotprod") {
    decode_aarch64_hwcaps(kAarch64HwcapFp | kAarch64HwcapAsimd | kAarch64HwcapFphp | kAarch64HwcapAsimdhp |
                              kAarch64HwcapAsimddp,
                          0, &f);
    CHECK(f.neon);
    CHECK(f.fp16_arith);
    CHECK(f.dotprod);
    CHECK_FALSE(f.i8mm);
    CHECK_FALSE(f.bf16);
  }
  SUBCASE("v9 core: + i8mm bf16 sve sve2") {
    decode_aarch64_hwcaps(kAarch64HwcapFp | kAarch64HwcapAsimd | kAarch64HwcapAsimddp | kAarch64HwcapSve,
                          kAarch64Hwcap2I8mm | kAarch64Hwcap2Bf16 | kAarch64Hwcap2Sve2, &f);
    CHECK(f.dotprod);
    CHECK(f.i8mm);
    CHECK(f.bf16);
    CHECK(f.sve);
    CHECK(f.sve2);
  }
  SUBCASE("sve2 without sve is not reported") {
    decode_aarch64_hwcaps(kAarch64HwcapFp | kAarch64HwcapAsimd, kAarch64Hwcap2Sve2, &f);
    CHECK_FALSE(f.sve);
    CHECK_FALSE(f.sve2);
  }
  SUBCASE("hwcap2 bits do not leak into hwcap decoding") {
    // I8MM is bit 13 of HWCAP2; bit 13 of HWCAP is JSCVT and must not read as i8mm.
    decode_aarch64_hwcaps(kAarch64HwcapFp | kAarch64HwcapAsimd | (1ull << 13), 0, &f);
    CHECK_FALSE(f.i8mm);
  }
  CHECK_FALSE(f.avx2);  // x86 fields untouched
}

TEST_CASE("arm32 hwcap decoder") {
  CpuFeatures f;
  decode_arm32_hwcaps(0, 0, &f);
  CHECK_FALSE(f.neon);

  decode_arm32_hwcaps(kArm32HwcapNeon, 0, &f);
  CHECK(f.neon);
  CHECK_FALSE(f.dotprod);

  decode_arm32_hwcaps(kArm32HwcapNeon | kArm32HwcapAsimddp | kArm32HwcapI8mm | kArm32HwcapFphp | kArm32HwcapAsimdhp,
                      0, &f);
  CHECK(f.dotprod);
  CHECK(f.i8mm);
  CHECK(f.fp16_arith);
  CHECK_FALSE(f.sve);

  // Extensions without NEON are not usable by our kernels.
  decode_arm32_hwcaps(kArm32HwcapAsimddp | kArm32HwcapI8mm, 0, &f);
  CHECK_FALSE(f.neon);
  CHECK_FALSE(f.dotprod);
  CHECK_FALSE(f.i8mm);
}
