// NEON body of the RoPE row rotations (rope_arm.h), aarch64 only: 4 lanes,
// the scalar reference's arithmetic per element (vmulq, vmulq, then vsubq or
// vaddq; no fused multiply-add), so the same bits.
//   norm style, pairs (2i, 2i + 1): vld2q splits 4 pairs of a row into
//     their first and second elements (and the table into cos and sin),
//     vst2q interleaves the results back.
//   neox style, pairs (i, i + rope_dim / 2): 4 pairs per step, the table
//     split once per step for all heads.
// f16 rows widen and narrow with FCVTL / FCVTN (round to nearest even, the
// default FPCR mode; denormals kept). Pairs past the last whole vector go
// one at a time. Only POD types and intrinsics here
// (cmake/BallastIsaSources.cmake).
#include "kernels/rope/rope_arm.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "kernels/rope/rope_rows_impl.h"

namespace ballast {
namespace {

struct NeonRope {
  using Rows = RopeRows<NeonRope>;
  static constexpr uint32_t kWidth = 4;

  static float32x4_t load(const float *p) { return vld1q_f32(p); }
  static float32x4_t load(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
  static void store(float *p, float32x4_t v) { vst1q_f32(p, v); }
  static void store(uint16_t *p, float32x4_t v) { vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v))); }
  static float load1(const float *p) { return *p; }
  static float load1(const uint16_t *p) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(*p))), 0);
  }
  static void store1(float *p, float v) { *p = v; }
  static void store1(uint16_t *p, float v) {
    *p = vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(v))), 0);
  }

  // 4 pairs of a norm-style row: val[0] the first elements, val[1] the second.
  static float32x4x2_t load_pairs(const float *p) { return vld2q_f32(p); }
  static float32x4x2_t load_pairs(const uint16_t *p) {
    const uint16x4x2_t h = vld2_u16(p);
    float32x4x2_t x;
    x.val[0] = vcvt_f32_f16(vreinterpret_f16_u16(h.val[0]));
    x.val[1] = vcvt_f32_f16(vreinterpret_f16_u16(h.val[1]));
    return x;
  }
  static void store_pairs(float *p, float32x4x2_t v) { vst2q_f32(p, v); }
  static void store_pairs(uint16_t *p, float32x4x2_t v) {
    uint16x4x2_t h;
    h.val[0] = vreinterpret_u16_f16(vcvt_f16_f32(v.val[0]));
    h.val[1] = vreinterpret_u16_f16(vcvt_f16_f32(v.val[1]));
    vst2_u16(p, h);
  }

  template <typename Src, typename Dst>
  static void rotate_norm(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
    for (uint32_t h = 0; h < n_heads; ++h) {
      const Src *in = src + static_cast<size_t>(h) * c.head_dim;  // [head_dim]
      Dst *out = dst + static_cast<size_t>(h) * c.head_dim;       // [head_dim]
      uint32_t d = 0;
      for (; d + 8 <= c.rope_dim; d += 8) {
        const float32x4x2_t cs = vld2q_f32(cos_sin + d);  // val[0] cos, val[1] sin of pairs d/2 .. d/2 + 3
        const float32x4x2_t x = load_pairs(in + d);
        float32x4x2_t y;
        y.val[0] = vsubq_f32(vmulq_f32(x.val[0], cs.val[0]), vmulq_f32(x.val[1], cs.val[1]));
        y.val[1] = vaddq_f32(vmulq_f32(x.val[0], cs.val[1]), vmulq_f32(x.val[1], cs.val[0]));
        store_pairs(out + d, y);
      }
      for (; d < c.rope_dim; d += 2) Rows::rotate_pair(cos_sin + d, in, out, d, d + 1);
      Rows::copy_rest(c, in, out);
    }
  }

  template <typename Src, typename Dst>
  static void rotate_neox(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
    const uint32_t half = c.rope_dim / 2;
    uint32_t i = 0;
    for (; i + 4 <= half; i += 4) {
      const float32x4x2_t cs = vld2q_f32(cos_sin + 2 * i);  // cos, sin of pairs i .. i + 3
      for (uint32_t h = 0; h < n_heads; ++h) {
        const Src *in = src + static_cast<size_t>(h) * c.head_dim;
        Dst *out = dst + static_cast<size_t>(h) * c.head_dim;
        const float32x4_t x0 = load(in + i), x1 = load(in + half + i);
        store(out + i, vsubq_f32(vmulq_f32(x0, cs.val[0]), vmulq_f32(x1, cs.val[1])));
        store(out + half + i, vaddq_f32(vmulq_f32(x0, cs.val[1]), vmulq_f32(x1, cs.val[0])));
      }
    }
    Rows::neox_tail(c, cos_sin, src, dst, n_heads, i);
  }
};

}  // namespace

RopeKernels rope_kernels_neon() { return RopeRows<NeonRope>::kernels(); }

}  // namespace ballast

#endif  // __aarch64__
