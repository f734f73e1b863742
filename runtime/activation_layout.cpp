#include "runtime/activation_layout.h"

namespace ballast {

ActivationLayout activation_layout(const ModelConfig &m, uint64_t batch) {
  ActivationLayout a;
  uint64_t at = 0;
  auto take = [&](uint64_t width) {
    const uint64_t offset = at;
    at += batch * width;
    return offset;
  };
  a.x = take(m.n_embd);
  a.xb = take(m.n_embd);
  a.xb2 = take(m.n_embd);
  a.q = take(m.q_width());
  a.k = take(m.kv_width_k());
  a.v = take(m.kv_width_v());
  a.attn_out = take(uint64_t{m.n_head} * m.head_dim_v);
  a.gate = take(m.n_ff);
  a.up = take(m.n_ff);
  a.total_floats = at;
  return a;
}

uint64_t widest_activation_row(const ModelConfig &m) {
  // Matrices read n_embd (q/k/v/gate/up/output), n_head * head_dim_v (wo) or n_ff (down).
  uint64_t widest = m.n_embd;
  if (uint64_t{m.n_head} * m.head_dim_v > widest) widest = uint64_t{m.n_head} * m.head_dim_v;
  if (m.n_ff > widest) widest = m.n_ff;
  return widest;
}

}  // namespace ballast
