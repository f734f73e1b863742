// Attention of ONE query token (all heads) over a list of KV segments:
// scalar reference.
//
// A segment is a run of consecutive cache slots, K and V rows contiguous:
//   keys   [n_slots][n_head_kv][head_dim_k]   (f32 or f16 bits)
//   values [n_slots][n_head_kv][head_dim_v]
// The KV cache hands over its sink slots and its ring (as up to two runs,
// oldest first), so the slot order seen here is the in-cache position order.
// Keys must already be rotated (RoPE) consistently with the query.
//
// GQA: query head h reads KV head h / (n_head / n_head_kv).
// score = scale * dot(q_h, k); softmax over all slots with a running max
// (online softmax, FlashAttention-style): slots are scored in blocks of at
// most `scratch_floats` slots; when a block raises the max, the running sum
// and the output accumulator are rescaled by exp(old_max - new_max), so no
// exp() ever overflows and nothing is stored per slot beyond one block.
// out[h] = sum_i softmax_i * v_i, accumulated in f32.
//
// Optional probe (diagnostics, issue 6): the softmax probability of every
// slot for one head, in segment order, written to a caller buffer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/quant/tensor_type.h"
#include "platform/status.h"

namespace ballast {

struct AttentionShape {
  uint32_t n_head = 0;      // query heads
  uint32_t n_head_kv = 0;   // KV heads (n_head % n_head_kv == 0)
  uint32_t head_dim_k = 0;  // query/key width per head
  uint32_t head_dim_v = 0;  // value width per head
  float scale = 0.0f;       // score multiplier; usually attention_default_scale(head_dim_k)
  TensorType kv_type = TensorType::f16;  // f16 or f32
};

// 1 / sqrt(head_dim_k).
float attention_default_scale(uint32_t head_dim_k);

// The SIMD variants attend in blocks of attention_block_slots(shape) slots
// (when the scratch holds that many scores, else of scratch_floats slots):
// per block, every query head of the call in turn, so the block's K and V
// rows (of all KV heads, about 128 KiB) are read from memory once and reused
// from L2 by the heads. A head's result depends only on the shape, the KV
// data and scratch_floats, never on which other heads the same call covers,
// so threads may split the heads anywhere and still get the one-thread bits.
uint32_t attention_block_slots(const AttentionShape &shape);

struct KvSegment {
  const void *keys = nullptr;    // [n_slots][n_head_kv][head_dim_k] of kv_type
  const void *values = nullptr;  // [n_slots][n_head_kv][head_dim_v] of kv_type
  uint32_t n_slots = 0;
};

struct AttentionProbe {
  uint32_t head = 0;                // query head to report
  float *probabilities = nullptr;   // [total slots over all segments], in segment order
};

// q   [n_head][head_dim_k] f32, already rotated.
// out [n_head][head_dim_v] f32.
// scratch: caller-owned, >= 1 float; the block size is min(scratch_floats, slots).
// probe: nullptr or one head's probabilities to fill.
// Errors (invalid_argument): bad shape, unsupported kv_type, no slots at all,
// no scratch, probe head out of range. Nothing is allocated.
Status attend_one_query(const AttentionShape &shape, const float *q, const KvSegment *segments, uint32_t n_segments,
                        float *out, float *scratch, size_t scratch_floats, const AttentionProbe *probe);

// Same, for query heads [head_begin, head_end) only (q and out are still the
// full [n_head][...] arrays): threads split the heads between them, each with
// its own scratch. A probe whose head lies outside the range is ignored.
Status attend_one_query_heads(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                              const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                              size_t scratch_floats, const AttentionProbe *probe);

}  // namespace ballast
