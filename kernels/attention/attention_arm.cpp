// Baseline (no ISA flags) wrapper of the NEON attention: argument checks as
// the scalar reference, then the SIMD body or, for shapes it does not cover
// (head dims not a multiple of 8, a probe), the scalar reference itself. In
// a build without the neon file it is the scalar reference.
#include "kernels/attention/attention_arm.h"

namespace ballast {

Status attend_one_query_heads_neon(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                   const float *q, const KvSegment *segments, uint32_t n_segments, float *out,
                                   float *scratch, size_t scratch_floats, const AttentionProbe *probe) {
#if defined(BALLAST_HAVE_ISA_NEON)
  const bool simd_shape = shape.n_head != 0 && shape.n_head_kv != 0 && shape.n_head % shape.n_head_kv == 0 &&
                          shape.head_dim_k != 0 && shape.head_dim_k % 8 == 0 && shape.head_dim_v != 0 &&
                          shape.head_dim_v % 8 == 0 && head_begin <= head_end && head_end <= shape.n_head &&
                          scratch != nullptr && scratch_floats != 0 && probe == nullptr &&
                          (shape.kv_type == TensorType::f16 || shape.kv_type == TensorType::f32);
  size_t total_slots = 0;
  for (uint32_t s = 0; s < n_segments; ++s) total_slots += segments[s].n_slots;
  if (!simd_shape || total_slots == 0) {
    // Either the scalar path's checks reject it with the reference's message, or it runs there.
    return attend_one_query_heads(shape, head_begin, head_end, q, segments, n_segments, out, scratch, scratch_floats,
                                  probe);
  }
  attend_heads_neon(shape, shape.kv_type == TensorType::f16, head_begin, head_end, q, segments, n_segments, out,
                    scratch, scratch_floats);
  return Status::ok();
#else
  return attend_one_query_heads(shape, head_begin, head_end, q, segments, n_segments, out, scratch, scratch_floats,
                                probe);
#endif
}

}  // namespace ballast
