// The test-only matmul variant list (matmul_test_twins.h). Baseline flags:
// only the twin's own file is compiled with AVX-512, so the feature check
// below runs on any CPU.
#include "tests/kernels_simd/matmul_test_twins.h"

namespace ballast {
namespace {

[[maybe_unused]] bool has_avx512vnni_vl(const CpuFeatures &f) {
  return f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
}

}  // namespace

std::vector<MatmulVariant> matmul_variants_under_test() {
  size_t n = 0;
  const MatmulVariant *compiled = compiled_matmul_variants(&n);
  std::vector<MatmulVariant> variants(compiled, compiled + n);
#if defined(BALLAST_TEST_HAVE_AVXVNNI_EVEX_TWIN)
  variants.push_back({"avxvnni-evex-twin", IsaLevel::avx2, has_avx512vnni_vl, matmul_q8_kernels_avxvnni_evex_twin});
#endif
  return variants;
}

}  // namespace ballast
