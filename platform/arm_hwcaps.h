// Decoding of Linux ARM hardware-capability words (getauxval(AT_HWCAP) and
// getauxval(AT_HWCAP2)) into CpuFeatures flags. Pure functions, compiled and
// unit-tested on every architecture with synthetic words; the getauxval() call
// itself lives in cpu_features_arm.cpp. Bit values are the Linux uapi ones
// (arch/arm64 and arch/arm asm/hwcap.h), spelled out here because older libc
// headers (e.g. Debian 12's armhf) lack the newer arm32 bits.
#pragma once

#include <cstdint>

#include "platform/cpu_features.h"

namespace ballast {

// aarch64 AT_HWCAP / AT_HWCAP2 bits.
constexpr uint64_t kAarch64HwcapFp = 1ull << 0;
constexpr uint64_t kAarch64HwcapAsimd = 1ull << 1;
constexpr uint64_t kAarch64HwcapFphp = 1ull << 9;
constexpr uint64_t kAarch64HwcapAsimdhp = 1ull << 10;
constexpr uint64_t kAarch64HwcapAsimddp = 1ull << 20;
constexpr uint64_t kAarch64HwcapSve = 1ull << 22;
constexpr uint64_t kAarch64Hwcap2Sve2 = 1ull << 1;
constexpr uint64_t kAarch64Hwcap2I8mm = 1ull << 13;
constexpr uint64_t kAarch64Hwcap2Bf16 = 1ull << 14;

// arm (32-bit) AT_HWCAP bits; the ARMv8.2+ ones appear on 64-bit kernels running 32-bit code.
constexpr uint64_t kArm32HwcapNeon = 1ull << 12;
constexpr uint64_t kArm32HwcapFphp = 1ull << 22;
constexpr uint64_t kArm32HwcapAsimdhp = 1ull << 23;
constexpr uint64_t kArm32HwcapAsimddp = 1ull << 24;
constexpr uint64_t kArm32HwcapAsimdbf16 = 1ull << 26;
constexpr uint64_t kArm32HwcapI8mm = 1ull << 27;

// Set the ARM ISA flags (neon .. sve2) of `features` from the hwcap words;
// leave every other field untouched. Each extension also requires NEON.
void decode_aarch64_hwcaps(uint64_t hwcap, uint64_t hwcap2, CpuFeatures *features);
void decode_arm32_hwcaps(uint64_t hwcap, uint64_t hwcap2, CpuFeatures *features);

}  // namespace ballast
