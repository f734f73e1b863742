// Decoding of raw x86 CPUID/XGETBV values into CpuFeatures flags. The decoder
// is pure (compiled and unit-tested on every architecture with synthetic
// register values); only read_x86_cpuid_registers() touches the hardware and
// is real only on x86 builds (cpu_features_x86.cpp).
#pragma once

#include <cstdint>

#include "platform/cpu_features.h"

namespace ballast {

// The registers the decoder looks at. Zero = "leaf not available".
struct X86CpuidRegisters {
  uint32_t max_basic_leaf = 0;  // CPUID.0:EAX
  uint32_t leaf1_ecx = 0;       // CPUID.1:ECX (sse4.2, fma, osxsave, avx, f16c)
  uint32_t leaf7_ebx = 0;       // CPUID.(7,0):EBX (avx2, avx512f/dq/bw/vl)
  uint32_t leaf7_ecx = 0;       // CPUID.(7,0):ECX (avx512vnni)
  uint32_t leaf7_edx = 0;       // CPUID.(7,0):EDX (avx512fp16, amx-bf16/tile/int8)
  uint32_t leaf7_1_eax = 0;     // CPUID.(7,1):EAX (avx-vnni, avx512bf16)
  uint64_t xcr0 = 0;            // XGETBV(0); only meaningful when OSXSAVE is set
};

// XCR0 state-component masks the OS must enable.
constexpr uint64_t kXcr0AvxState = (1ull << 1) | (1ull << 2);                 // SSE + AVX (YMM)
constexpr uint64_t kXcr0Avx512State = (1ull << 5) | (1ull << 6) | (1ull << 7);  // opmask, ZMM_Hi256, Hi16_ZMM
constexpr uint64_t kXcr0AmxState = (1ull << 17) | (1ull << 18);               // XTILECFG, XTILEDATA

// Sets the x86 ISA flags of `features` (sse4_2 .. amx_bf16) from `regs` alone,
// each AND the OS state it needs; leaves every other field untouched.
void decode_x86_cpuid(const X86CpuidRegisters &regs, CpuFeatures *features);

// Fills `regs` from the running CPU. Returns false (regs zeroed) on non-x86 builds.
bool read_x86_cpuid_registers(X86CpuidRegisters *regs);

}  // namespace ballast
