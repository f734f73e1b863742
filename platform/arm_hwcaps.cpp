// Pure decoding of Linux ARM hwcap words (see arm_hwcaps.h).
#include "platform/arm_hwcaps.h"

namespace ballast {

void decode_aarch64_hwcaps(uint64_t hwcap, uint64_t hwcap2, CpuFeatures *features) {
  const bool neon = (hwcap & kAarch64HwcapFp) != 0 && (hwcap & kAarch64HwcapAsimd) != 0;
  features->neon = neon;
  features->fp16_arith = neon && (hwcap & kAarch64HwcapFphp) != 0 && (hwcap & kAarch64HwcapAsimdhp) != 0;
  features->dotprod = neon && (hwcap & kAarch64HwcapAsimddp) != 0;
  features->i8mm = neon && (hwcap2 & kAarch64Hwcap2I8mm) != 0;
  features->bf16 = neon && (hwcap2 & kAarch64Hwcap2Bf16) != 0;
  features->sve = neon && (hwcap & kAarch64HwcapSve) != 0;
  features->sve2 = features->sve && (hwcap2 & kAarch64Hwcap2Sve2) != 0;
}

void decode_arm32_hwcaps(uint64_t hwcap, uint64_t hwcap2, CpuFeatures *features) {
  (void)hwcap2;  // AT_HWCAP2 on arm32 holds only crypto/CRC bits, none of which we dispatch on.
  const bool neon = (hwcap & kArm32HwcapNeon) != 0;
  features->neon = neon;
  features->fp16_arith = neon && (hwcap & kArm32HwcapFphp) != 0 && (hwcap & kArm32HwcapAsimdhp) != 0;
  features->dotprod = neon && (hwcap & kArm32HwcapAsimddp) != 0;
  features->i8mm = neon && (hwcap & kArm32HwcapI8mm) != 0;
  features->bf16 = neon && (hwcap & kArm32HwcapAsimdbf16) != 0;
  features->sve = false;  // SVE has no AArch32 encoding.
  features->sve2 = false;
}

}  // namespace ballast
