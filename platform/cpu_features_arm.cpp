// ARM (aarch64 and armv7) half of CPU feature detection on Linux/Android:
// getauxval(AT_HWCAP/AT_HWCAP2), combined with cpuinfo. i8mm, SVE and SVE2
// come from the kernel's hwcaps only (SVE needs the kernel to enable it, and
// this cpuinfo version has no i8mm); NEON, fp16 arithmetic, dotprod and bf16
// are taken when either source reports them (cpuinfo also knows chips whose
// old kernels do not advertise dotprod).
#include "platform/cpu_features_detect.h"

#if defined(__aarch64__) || defined(__arm__)

#include <sys/auxv.h>

#include <cpuinfo.h>

#include "platform/arm_hwcaps.h"

namespace ballast {
namespace {

#if defined(__aarch64__)
constexpr CpuArchitecture kArchitecture = CpuArchitecture::aarch64;
void decode_hwcaps(uint64_t hwcap, uint64_t hwcap2, CpuFeatures *features) {
  decode_aarch64_hwcaps(hwcap, hwcap2, features);
}
#else
constexpr CpuArchitecture kArchitecture = CpuArchitecture::arm;
void decode_hwcaps(uint64_t hwcap, uint64_t hwcap2, CpuFeatures *features) {
  decode_arm32_hwcaps(hwcap, hwcap2, features);
}
#endif

}  // namespace

void detect_architecture_features(CpuFeatures *features) {
  features->architecture = kArchitecture;
  const uint64_t hwcap = getauxval(AT_HWCAP);
  const uint64_t hwcap2 = getauxval(AT_HWCAP2);
  decode_hwcaps(hwcap, hwcap2, features);
  if (!features->cpuinfo_available) return;

  features->neon = features->neon || cpuinfo_has_arm_neon();
  features->fp16_arith = features->neon && (features->fp16_arith || cpuinfo_has_arm_neon_fp16_arith());
  features->dotprod = features->neon && (features->dotprod || cpuinfo_has_arm_neon_dot());
  features->bf16 = features->neon && (features->bf16 || cpuinfo_has_arm_bf16());
}

}  // namespace ballast

#endif
