// AVX-512 VNNI variant of the matmul_q8 kernels: legacy-block int8 dots with
// one vpdpbusd (u8 x s8 -> int32, no int16 intermediate). Decode (batch 1)
// of the legacy blocks (Q4_0 / Q5_0 / Q8_0 / Q4_1 / Q5_1) and F16 runs
// 512-bit bodies, two blocks per zmm, bit-identical to the 256-bit row_dot
// (matmul_decode_avx512_impl.h); prefill and the other types use 256-bit
// vectors (AVX-512 VL encoding), except the repacked q4_0x8 / q5_0x8 /
// q8_0x8 kernels, which take two 8-row groups per zmm
// (matmul_interleaved_x8_avx512_impl.h). K-quants keep the maddubs path (their
// per-sub-block scales ride in the int16 -> int32 step).
// GCC 12's AVX-512 intrinsics build their "undefined" upper halves from a
// self-initialised variable, which -Wmaybe-uninitialized (and, for the
// q5_0x8 pair tile's _mm512_castsi256_si512, -Wuninitialized) reports at
// every inlined use (a false positive, fixed in later GCC); off before
// <immintrin.h> is first included.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "kernels/matmul/matmul_q8_x86.h"

#include "kernels/matmul/matmul_q8_x86_impl.h"
#include "kernels/matmul/matmul_decode_avx512_impl.h"
#include "kernels/matmul/matmul_interleaved_x8_x86_impl.h"
#include "kernels/matmul/matmul_interleaved_x8_avx512_impl.h"

namespace ballast {
namespace {

struct VnniDot {
  static __m256i dot_s8(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  }
  // acc + per lane the 4 products u1 x s1 plus the 4 u2 x s2 (any u8).
  static __m256i dot_pair(__m256i acc, __m256i u1, __m256i s1, __m256i u2, __m256i s2) {
    return _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(acc, u1, s1), u2, s2);
  }
};

// The repacked kernels' policy: VnniDot plus the 512-bit two-group tile.
struct VnniPairDot : VnniDot {
  static constexpr bool kPairTile = true;
  static constexpr int kPairTileMinCount = 2;  // decode (1 activation row) keeps the 256-bit tile: measured faster
  template <typename Layout, int kCount>
  static void pair_tile(const uint8_t *group, int64_t group_bytes, int64_t blocks, const uint8_t *x,
                        int64_t activation_row, float (*y)[16]) {
    x8_pair_tile_avx512vnni<Layout, kCount>(group, group_bytes, blocks, x, activation_row, y);
  }
};

struct VnniDot512 {
  // acc + sums of 4 products u8 x s8 per int32 lane (exact for any u8).
  static __m512i dot_u8s8(__m512i acc, __m512i u, __m512i s) { return _mm512_dpbusd_epi32(acc, u, s); }
};

X86Q8KernelSet avx512vnni_kernels() {
  X86Q8KernelSet set = x86_q8_kernels<VnniDot>();
  set.q4_0.matmul = matmul_legacy_avx512<VnniDot, VnniDot512, Legacy::q4_0>;
  set.q5_0.matmul = matmul_legacy_avx512<VnniDot, VnniDot512, Legacy::q5_0>;
  set.q8_0.matmul = matmul_legacy_avx512<VnniDot, VnniDot512, Legacy::q8_0>;
  set.q4_1.matmul = matmul_legacy_avx512<VnniDot, VnniDot512, Legacy::q4_1>;
  set.q5_1.matmul = matmul_legacy_avx512<VnniDot, VnniDot512, Legacy::q5_1>;
  set.f16.matmul = matmul_f16_avx512;
  static const RepackedMatmulKernels q4_0x8 = q4_0x8_kernels_x86<VnniPairDot>();
  static const RepackedMatmulKernels q5_0x8 = q5_0x8_kernels_x86<VnniPairDot>();
  static const RepackedMatmulKernels q8_0x8 = q8_0x8_kernels_x86<VnniPairDot>();
  set.q4_0.repacked = &q4_0x8;
  set.q5_0.repacked = &q5_0x8;
  set.q8_0.repacked = &q8_0x8;
  return set;
}

}  // namespace

const QuantizedMatmulKernels *matmul_q8_kernels_avx512vnni(TensorType type) {
  static const X86Q8KernelSet kernels = avx512vnni_kernels();
  return kernels.find(type);
}

}  // namespace ballast
