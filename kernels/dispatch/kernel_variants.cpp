#include "kernels/dispatch/kernel_variants.h"

#include <string>

#include "kernels/matmul/matmul_batched_x86.h"
#include "kernels/matmul/matmul_bf16_avx512bf16.h"
#include "kernels/matmul/matmul_q8_arm.h"
#include "kernels/matmul/matmul_q8_x86.h"

namespace ballast {
namespace {

bool always(const CpuFeatures &) { return true; }

[[maybe_unused]] bool has_avx2(const CpuFeatures &f) { return f.avx2 && f.fma && f.f16c; }
[[maybe_unused]] bool has_avxvnni(const CpuFeatures &f) { return has_avx2(f) && f.avx_vnni; }
[[maybe_unused]] bool has_avx512(const CpuFeatures &f) { return has_avx2(f) && f.avx512f && f.avx512bw && f.avx512vl; }
[[maybe_unused]] bool has_avx512vnni(const CpuFeatures &f) { return has_avx512(f) && f.avx512vnni; }
[[maybe_unused]] bool has_avx512bf16(const CpuFeatures &f) { return has_avx512(f) && f.avx512bf16; }
[[maybe_unused]] bool has_neon(const CpuFeatures &f) { return f.neon; }
[[maybe_unused]] bool has_dotprod(const CpuFeatures &f) { return f.neon && f.dotprod; }
[[maybe_unused]] bool has_i8mm(const CpuFeatures &f) { return has_dotprod(f) && f.i8mm; }

// Scalar first, best last; an ISA file the build skipped has no entry.
//
// How kernel_table.cpp picks, per weight type: of the variants whose level the
// allowed level admits (the same level, or a lower one of the same family)
// and whose features the CPU has, the LAST one that has kernels for the type
// wins; a variant returning nullptr for a type (avx512bf16 for everything but
// BF16) leaves the earlier winner in place. So within a level, later entries
// must be better wherever both apply:
//  - avxvnni sits at the avx2 level after avx2: an AVX-VNNI CPU without
//    AVX-512 (Alder Lake, N100) gets it as its best; BALLAST_ISA=avx2 on a CPU
//    with both AVX-VNNI and AVX-512 also gets it (still 256-bit VEX code);
//    at the avx512 level the avx512 entries come later and replace it for
//    every type (avx512vnni covers every type avxvnni does).
//  - avx512bf16 comes after avx512vnni and replaces it for BF16 only.
const MatmulVariant kMatmulVariants[] = {
    {"scalar", IsaLevel::scalar, always, matmul_q8_kernels_scalar},
#if defined(BALLAST_HAVE_ISA_AVX2)
    {"avx2", IsaLevel::avx2, has_avx2, matmul_q8_kernels_avx2},
#endif
#if defined(BALLAST_HAVE_ISA_AVXVNNI)
    {"avxvnni", IsaLevel::avx2, has_avxvnni, matmul_q8_kernels_avxvnni},
#endif
#if defined(BALLAST_HAVE_ISA_AVX512)
    {"avx512", IsaLevel::avx512, has_avx512, matmul_q8_kernels_avx512},
#endif
#if defined(BALLAST_HAVE_ISA_AVX512VNNI)
    {"avx512vnni", IsaLevel::avx512, has_avx512vnni, matmul_batched_kernels_avx512vnni},
#endif
#if defined(BALLAST_HAVE_ISA_AVX512BF16)
    {"avx512bf16", IsaLevel::avx512, has_avx512bf16, matmul_bf16_kernels_avx512bf16},
#endif
#if defined(BALLAST_HAVE_ISA_NEON)
    {"neon", IsaLevel::neon, has_neon, matmul_q8_kernels_neon},
#endif
#if defined(BALLAST_HAVE_ISA_DOTPROD)
    {"dotprod", IsaLevel::dotprod, has_dotprod, matmul_q8_kernels_dotprod},
#endif
#if defined(BALLAST_HAVE_ISA_I8MM)
    {"i8mm", IsaLevel::i8mm, has_i8mm, matmul_q8_kernels_i8mm},
#endif
};

// Levels of one architecture family, lowest first.
bool same_family(IsaLevel a, IsaLevel b) {
  auto x86 = [](IsaLevel l) { return l == IsaLevel::avx2 || l == IsaLevel::avx512; };
  auto arm = [](IsaLevel l) { return l == IsaLevel::neon || l == IsaLevel::dotprod || l == IsaLevel::i8mm; };
  return (x86(a) && x86(b)) || (arm(a) && arm(b));
}

}  // namespace

const MatmulVariant *compiled_matmul_variants(size_t *count) {
  *count = sizeof kMatmulVariants / sizeof kMatmulVariants[0];
  return kMatmulVariants;
}

bool kernel_variant_compiled(IsaLevel level) {
  for (const MatmulVariant &v : kMatmulVariants) {
    if (v.level == level) return true;
  }
  return false;
}

IsaLevel select_kernel_variant(IsaLevel allowed) {
  IsaLevel best = IsaLevel::scalar;
  for (const MatmulVariant &v : kMatmulVariants) {
    if (v.level == allowed || (same_family(v.level, allowed) && static_cast<int>(v.level) < static_cast<int>(allowed))) {
      if (static_cast<int>(v.level) > static_cast<int>(best)) best = v.level;
    }
  }
  return best;
}

const char *compiled_kernel_variants() {
  static const std::string names = [] {
    std::string joined;
    for (const MatmulVariant &v : kMatmulVariants) joined += (joined.empty() ? "" : " ") + std::string(v.name);
    return joined;
  }();
  return names.c_str();
}

}  // namespace ballast
