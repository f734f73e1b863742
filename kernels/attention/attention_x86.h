// x86 SIMD attention (decode: one query over sink + ring segments), the same
// online-softmax algorithm as attention.h's scalar reference, with the
// query-key dots and the value accumulation in 8-wide (AVX2) or 16-wide
// (AVX-512) FMA, f16 KV widened by F16C, and exp() as an 8-wide polynomial
// (relative error ~2e-7). Results differ from scalar (and from each other)
// by f32 summation order and that exp's rounding. The shared algorithm
// (head sets, prefetch of the next block) is in attention_x86_impl.h.
//
// attend_one_query_heads_avx2() has attend_one_query_heads()'s contract and
// checks; shapes the SIMD body does not cover (a head dim not a multiple of
// 8) go to the scalar reference. Call only when the build compiled the avx2
// file (BALLAST_HAVE_ISA_AVX2) and the CPU has AVX2+FMA+F16C.
#pragma once

#include "kernels/attention/attention.h"

namespace ballast {

Status attend_one_query_heads_avx2(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                   const float *q, const KvSegment *segments, uint32_t n_segments, float *out,
                                   float *scratch, size_t scratch_floats, const AttentionProbe *probe);

// The SIMD body (in attention_avx2.cpp, compiled with AVX2 flags): no checks.
// kv_f16: keys/values are f16 (else f32). head_dim_k, head_dim_v multiples of 8.
// scratch: scratch_floats >= 1 floats of scores: blocks of
// attention_block_slots(shape) slots when that many fit, else of
// scratch_floats slots (attention.h).
void attend_heads_avx2(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end,
                       const float *q, const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                       size_t scratch_floats);

// attend_one_query_heads() contract and checks, AVX-512 (F/BW/VL) body for
// head dims that are multiples of 16, the AVX2 body for other multiples of
// 8, the scalar reference for the rest. Call only when the build compiled
// the avx512 file (BALLAST_HAVE_ISA_AVX512) and the CPU has AVX-512 F/BW/VL
// (and AVX2+FMA+F16C).
Status attend_one_query_heads_avx512(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                     const float *q, const KvSegment *segments, uint32_t n_segments, float *out,
                                     float *scratch, size_t scratch_floats, const AttentionProbe *probe);

// The AVX-512 body (attention_avx512.cpp): no checks; head dims multiples of 16.
void attend_heads_avx512(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end,
                         const float *q, const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                         size_t scratch_floats);

}  // namespace ballast
