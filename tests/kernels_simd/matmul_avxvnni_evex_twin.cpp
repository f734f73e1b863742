// The avxvnni matmul kernels' EVEX twin: kernels/matmul/matmul_q8_avxvnni.cpp
// compiled again, into the test binary only, with the avx512vnni flags and
// BALLAST_AVXVNNI_EVEX_TWIN, which makes its Dot use _mm256_dpbusd_epi32 (the
// EVEX encoding of the 256-bit vpdpbusd, same semantics) instead of
// _mm256_dpbusd_avx_epi32 (VEX, AVX-VNNI). The exported getter is renamed to
// matmul_q8_kernels_avxvnni_evex_twin (matmul_test_twins.h).
//
// What running it proves: the avxvnni file's algorithm (every kernel body,
// the repacked q4_0x8 / q8_0x8 wiring, the Dot contract: exact u8 x s8 sums
// for any bytes) against the scalar reference, on CPUs with AVX-512 VNNI but
// no AVX-VNNI (Zen 4, Ice Lake, Sapphire Rapids too). What it does not prove:
// the VEX encoding itself, the avxvnni flags' code generation, or that the
// real variant's CPU check is right. Those need an AVX-VNNI CPU, where
// matmul_variants_test runs the real variant (and reports it skipped elsewhere).
// GCC 12's AVX-512 intrinsics trip -Wmaybe-uninitialized (false positive); off
// before <immintrin.h>, as in the library's AVX-512 files.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define BALLAST_AVXVNNI_EVEX_TWIN 1
#define matmul_q8_kernels_avxvnni matmul_q8_kernels_avxvnni_evex_twin
#include "kernels/matmul/matmul_q8_avxvnni.cpp"  // NOLINT(bugprone-suspicious-include): compiled twice on purpose
#undef matmul_q8_kernels_avxvnni
