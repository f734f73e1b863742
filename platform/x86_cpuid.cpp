// Pure decoding of x86 CPUID/XGETBV register values (see x86_cpuid.h).
// Bit positions: Intel SDM vol. 2A, CPUID leaf 01H and 07H; XCR0: vol. 1 §13.
#include "platform/x86_cpuid.h"

namespace ballast {
namespace {

bool bit(uint32_t reg, int index) { return ((reg >> index) & 1u) != 0; }

}  // namespace

void decode_x86_cpuid(const X86CpuidRegisters &regs, CpuFeatures *features) {
  const bool has_leaf1 = regs.max_basic_leaf >= 1;
  const bool has_leaf7 = regs.max_basic_leaf >= 7;
  const uint32_t leaf1_ecx = has_leaf1 ? regs.leaf1_ecx : 0;
  const uint32_t leaf7_ebx = has_leaf7 ? regs.leaf7_ebx : 0;
  const uint32_t leaf7_ecx = has_leaf7 ? regs.leaf7_ecx : 0;
  const uint32_t leaf7_edx = has_leaf7 ? regs.leaf7_edx : 0;
  const uint32_t leaf7_1_eax = has_leaf7 ? regs.leaf7_1_eax : 0;

  // XGETBV may only be trusted when the OS has set CR4.OSXSAVE (CPUID.1:ECX[27]).
  const bool osxsave = bit(leaf1_ecx, 27);
  const uint64_t xcr0 = osxsave ? regs.xcr0 : 0;
  const bool os_avx = (xcr0 & kXcr0AvxState) == kXcr0AvxState;
  const bool os_avx512 = os_avx && (xcr0 & kXcr0Avx512State) == kXcr0Avx512State;
  const bool os_amx = (xcr0 & kXcr0AmxState) == kXcr0AmxState;

  features->sse4_2 = bit(leaf1_ecx, 20);
  features->avx = os_avx && bit(leaf1_ecx, 28);
  features->fma = features->avx && bit(leaf1_ecx, 12);
  features->f16c = features->avx && bit(leaf1_ecx, 29);
  features->avx2 = features->avx && bit(leaf7_ebx, 5);
  features->avx_vnni = features->avx2 && bit(leaf7_1_eax, 4);

  features->avx512f = os_avx512 && bit(leaf7_ebx, 16);
  features->avx512dq = features->avx512f && bit(leaf7_ebx, 17);
  features->avx512bw = features->avx512f && bit(leaf7_ebx, 30);
  features->avx512vl = features->avx512f && bit(leaf7_ebx, 31);
  features->avx512vnni = features->avx512f && bit(leaf7_ecx, 11);
  features->avx512bf16 = features->avx512f && bit(leaf7_1_eax, 5);
  features->avx512fp16 = features->avx512f && bit(leaf7_edx, 23);

  features->amx_tile = os_amx && bit(leaf7_edx, 24);
  features->amx_int8 = features->amx_tile && bit(leaf7_edx, 25);
  features->amx_bf16 = features->amx_tile && bit(leaf7_edx, 22);
}

}  // namespace ballast
