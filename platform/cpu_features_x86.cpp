// x86 / x86_64 half of CPU feature detection: CPUID + XGETBV, combined with
// cpuinfo. A flag cpuinfo also reports is true only if cpuinfo AND CPUID (with
// the OS state from XCR0) agree; AVX-512-FP16, AVX-VNNI and AMX come from
// CPUID alone because this cpuinfo version cannot report them.
#include "platform/cpu_features_detect.h"
#include "platform/x86_cpuid.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <cpuinfo.h>

namespace ballast {
namespace {

// XGETBV with ECX=0 (XCR0). Only valid when CPUID.1:ECX.OSXSAVE is set.
uint64_t read_xcr0() {
  uint32_t low = 0;
  uint32_t high = 0;
  __asm__ __volatile__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<uint64_t>(high) << 32) | low;
}

}  // namespace

bool read_x86_cpuid_registers(X86CpuidRegisters *regs) {
  *regs = X86CpuidRegisters{};
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) == 0) return false;
  regs->max_basic_leaf = eax;
  if (regs->max_basic_leaf >= 1) {
    __cpuid_count(1, 0, eax, ebx, ecx, edx);
    regs->leaf1_ecx = ecx;
  }
  if (regs->max_basic_leaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const uint32_t max_leaf7_subleaf = eax;
    regs->leaf7_ebx = ebx;
    regs->leaf7_ecx = ecx;
    regs->leaf7_edx = edx;
    if (max_leaf7_subleaf >= 1) {
      __cpuid_count(7, 1, eax, ebx, ecx, edx);
      regs->leaf7_1_eax = eax;
    }
  }
  const bool osxsave = ((regs->leaf1_ecx >> 27) & 1u) != 0;
  if (osxsave) regs->xcr0 = read_xcr0();
  return true;
}

void detect_architecture_features(CpuFeatures *features) {
  features->architecture = sizeof(void *) == 8 ? CpuArchitecture::x86_64 : CpuArchitecture::x86;
  X86CpuidRegisters regs;
  read_x86_cpuid_registers(&regs);
  decode_x86_cpuid(regs, features);
  if (!features->cpuinfo_available) return;

  // cpuinfo is the main detector: a flag it reports must agree with it too.
  features->sse4_2 = features->sse4_2 && cpuinfo_has_x86_sse4_2();
  features->avx = features->avx && cpuinfo_has_x86_avx();
  features->fma = features->fma && cpuinfo_has_x86_fma3();
  features->f16c = features->f16c && cpuinfo_has_x86_f16c();
  features->avx2 = features->avx2 && cpuinfo_has_x86_avx2();
  features->avx512f = features->avx512f && cpuinfo_has_x86_avx512f();
  features->avx512dq = features->avx512dq && cpuinfo_has_x86_avx512dq();
  features->avx512bw = features->avx512bw && cpuinfo_has_x86_avx512bw();
  features->avx512vl = features->avx512vl && cpuinfo_has_x86_avx512vl();
  features->avx512vnni = features->avx512vnni && cpuinfo_has_x86_avx512vnni();
  features->avx512bf16 = features->avx512bf16 && cpuinfo_has_x86_avx512bf16();
  // Keep the implications intact after the AND (e.g. no avx512bw without avx512f).
  features->avx512dq = features->avx512dq && features->avx512f;
  features->avx512bw = features->avx512bw && features->avx512f;
  features->avx512vl = features->avx512vl && features->avx512f;
  features->avx512vnni = features->avx512vnni && features->avx512f;
  features->avx512bf16 = features->avx512bf16 && features->avx512f;
  features->avx512fp16 = features->avx512fp16 && features->avx512f;
  features->avx_vnni = features->avx_vnni && features->avx2;
}

}  // namespace ballast

#else  // not x86: no CPUID to read.

namespace ballast {

bool read_x86_cpuid_registers(X86CpuidRegisters *regs) {
  *regs = X86CpuidRegisters{};
  return false;
}

}  // namespace ballast

#endif
