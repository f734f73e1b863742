// ARM NEON attention (decode: one query over sink + ring segments), the same
// online-softmax algorithm as attention.h's scalar reference, with the
// query-key dots and the value accumulation in 4-wide fused multiply-adds and
// f16 KV widened to f32 (FCVT on aarch64; an exact integer conversion on
// armv7). Results differ from scalar only by f32 summation order.
//
// attend_one_query_heads_neon() has attend_one_query_heads()'s contract and
// checks; shapes the SIMD body does not cover (a head dim not a multiple of
// 8, a probe) go to the scalar reference. Call only when the build compiled
// the neon file (BALLAST_HAVE_ISA_NEON) and the CPU has NEON.
#pragma once

#include "kernels/attention/attention.h"

namespace ballast {

Status attend_one_query_heads_neon(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                   const float *q, const KvSegment *segments, uint32_t n_segments, float *out,
                                   float *scratch, size_t scratch_floats, const AttentionProbe *probe);

// The SIMD body (in attention_neon.cpp, compiled with NEON flags): no checks.
// kv_f16: keys/values are f16 (else f32). head_dim_k, head_dim_v multiples of 8.
// scratch: scratch_floats >= 1 floats of scores: blocks of
// attention_block_slots(shape) slots when that many fit, else of
// scratch_floats slots (attention.h).
void attend_heads_neon(const AttentionShape &shape, bool kv_f16, uint32_t head_begin, uint32_t head_end,
                       const float *q, const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                       size_t scratch_floats);

}  // namespace ballast
