// Baseline (no ISA flags) wrappers of the x86 attention bodies: argument
// checks as the scalar reference, then the SIMD body or, for shapes it does
// not cover (head dims not a multiple of 8, a probe), the scalar reference
// itself. In a build without an ISA file its wrapper falls back to the next
// body down (AVX-512 -> AVX2 -> scalar reference).
#include "kernels/attention/attention_x86.h"

namespace ballast {
namespace {

// The shapes the SIMD bodies take: the reference's checks pass, dims are
// multiples of 8, there is scratch and at least one slot, and no probe.
[[maybe_unused]] bool simd_shape(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                 const KvSegment *segments, uint32_t n_segments, const float *scratch,
                                 size_t scratch_floats, const AttentionProbe *probe) {
  const bool shape_ok = shape.n_head != 0 && shape.n_head_kv != 0 && shape.n_head % shape.n_head_kv == 0 &&
                        shape.head_dim_k != 0 && shape.head_dim_k % 8 == 0 && shape.head_dim_v != 0 &&
                        shape.head_dim_v % 8 == 0 && head_begin <= head_end && head_end <= shape.n_head &&
                        scratch != nullptr && scratch_floats != 0 && probe == nullptr &&
                        (shape.kv_type == TensorType::f16 || shape.kv_type == TensorType::f32);
  size_t total_slots = 0;
  for (uint32_t s = 0; s < n_segments; ++s) total_slots += segments[s].n_slots;
  return shape_ok && total_slots != 0;
}

}  // namespace

Status attend_one_query_heads_avx2(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                   const float *q, const KvSegment *segments, uint32_t n_segments, float *out,
                                   float *scratch, size_t scratch_floats, const AttentionProbe *probe) {
#if defined(BALLAST_HAVE_ISA_AVX2)
  if (simd_shape(shape, head_begin, head_end, segments, n_segments, scratch, scratch_floats, probe)) {
    attend_heads_avx2(shape, shape.kv_type == TensorType::f16, head_begin, head_end, q, segments, n_segments, out,
                      scratch, scratch_floats);
    return Status::ok();
  }
#endif
  // Either the scalar path's checks reject it with the reference's message, or it runs there.
  return attend_one_query_heads(shape, head_begin, head_end, q, segments, n_segments, out, scratch, scratch_floats,
                                probe);
}

Status attend_one_query_heads_avx512(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end,
                                     const float *q, const KvSegment *segments, uint32_t n_segments, float *out,
                                     float *scratch, size_t scratch_floats, const AttentionProbe *probe) {
#if defined(BALLAST_HAVE_ISA_AVX512)
  if (shape.head_dim_k % 16 == 0 && shape.head_dim_v % 16 == 0 &&
      simd_shape(shape, head_begin, head_end, segments, n_segments, scratch, scratch_floats, probe)) {
    attend_heads_avx512(shape, shape.kv_type == TensorType::f16, head_begin, head_end, q, segments, n_segments, out,
                        scratch, scratch_floats);
    return Status::ok();
  }
#endif
  return attend_one_query_heads_avx2(shape, head_begin, head_end, q, segments, n_segments, out, scratch,
                                     scratch_floats, probe);
}

}  // namespace ballast
