// The parts of the SIMD RoPE bodies that do not depend on the ISA
// (rope_avx2.cpp, rope_neon.cpp): the one-pair step for tails, the copy of
// the dims past rope_dim, the choice of pairing and the RopeKernels entry
// points. An ISA file defines a policy
//   struct Isa {
//     static constexpr uint32_t kWidth;              // f32 lanes per vector
//     static V load(const float *) / load(const uint16_t *);   // kWidth elements
//     static void store(float *, V) / store(uint16_t *, V);
//     static float load1(const float *) / load1(const uint16_t *);
//     static void store1(float *, float) / store1(uint16_t *, float);
//     template <typename Src, typename Dst> static void rotate_norm(config, cos_sin, src, dst, n_heads);
//     template <typename Src, typename Dst> static void rotate_neox(config, cos_sin, src, dst, n_heads);
//   };  (their tails: rotate_pair / neox_tail, and copy_rest, below)
// and exports RopeRows<Isa>::kernels().
//
// Include ONLY from files compiled with ISA flags: everything here has
// internal linkage (anonymous namespace, cmake/BallastIsaSources.cmake).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/rope/rope.h"

namespace ballast {
namespace {

template <typename Isa>
struct RopeRows {
  // One pair: out[a], out[b] from in[a], in[b] with cs = (cos, sin), the
  // reference's arithmetic (read both before writing: in may be out).
  template <typename Src, typename Dst>
  static void rotate_pair(const float *cs, const Src *in, Dst *out, uint32_t a, uint32_t b) {
    const float c = cs[0], s = cs[1];
    const float x0 = Isa::load1(in + a), x1 = Isa::load1(in + b);
    Isa::store1(out + a, x0 * c - x1 * s);
    Isa::store1(out + b, x0 * s + x1 * c);
  }

  // Dims [rope_dim, head_dim) of one head copied (converted) when out is not in.
  template <typename Src, typename Dst>
  static void copy_rest(const RopeConfig &c, const Src *in, Dst *out) {
    if (static_cast<const void *>(in) == static_cast<const void *>(out)) return;
    uint32_t d = c.rope_dim;
    for (; d + Isa::kWidth <= c.head_dim; d += Isa::kWidth) Isa::store(out + d, Isa::load(in + d));
    for (; d < c.head_dim; ++d) Isa::store1(out + d, Isa::load1(in + d));
  }

  // Neox pairs [first, rope_dim / 2) of every head one at a time (the
  // vector loop's tail), then each head's copied dims.
  template <typename Src, typename Dst>
  static void neox_tail(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads,
                        uint32_t first) {
    const uint32_t half = c.rope_dim / 2;
    for (uint32_t h = 0; h < n_heads; ++h) {
      const Src *in = src + static_cast<size_t>(h) * c.head_dim;
      Dst *out = dst + static_cast<size_t>(h) * c.head_dim;
      for (uint32_t p = first; p < half; ++p) rotate_pair(cos_sin + 2 * p, in, out, p, p + half);
      copy_rest(c, in, out);
    }
  }

  template <typename Src, typename Dst>
  static void apply(const RopeConfig &c, const float *cos_sin, const Src *src, Dst *dst, uint32_t n_heads) {
    if (c.style == RopeStyle::norm) {
      Isa::rotate_norm(c, cos_sin, src, dst, n_heads);
    } else {
      Isa::rotate_neox(c, cos_sin, src, dst, n_heads);
    }
  }

  static RopeKernels kernels() {
    return {&apply<float, float>, &apply<uint16_t, uint16_t>, &apply<float, uint16_t>};
  }
};

}  // namespace
}  // namespace ballast
