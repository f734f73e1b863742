#include "streaming_attention_oracle.h"

#include <cmath>

#include "kernels/quant/float16.h"

namespace ballast::testing {

StreamingAttentionOracle::StreamingAttentionOracle(const OracleConfig &config) : config_(config) {
  layers_.resize(config.n_layer);
  for (LayerState &l : layers_) l.probabilities.resize(config.n_head);
  // RoPE from its definition, in long double: pair i turns by
  // position * scale * base^(-2i/rope_dim) / factor_i.
  const RopeConfig &r = config_.rope;
  for (uint32_t i = 0; i < r.rope_dim / 2; ++i) {
    long double frequency = static_cast<long double>(r.freq_scale) *
                            std::pow(static_cast<long double>(r.freq_base), -2.0L * i / r.rope_dim);
    if (r.freq_factors != nullptr) frequency /= r.freq_factors[i];
    frequencies_.push_back(frequency);
  }
}

const std::vector<double> &StreamingAttentionOracle::angles(int64_t position) {
  auto found = angle_cache_.find(position);
  if (found != angle_cache_.end()) return found->second;
  std::vector<double> table;
  for (long double frequency : frequencies_) {
    const long double angle = static_cast<long double>(position) * frequency;
    table.push_back(static_cast<double>(std::cos(angle)));
    table.push_back(static_cast<double>(std::sin(angle)));
  }
  return angle_cache_.emplace(position, std::move(table)).first->second;
}

// Pair i of each head: adjacent elements (norm) or i and i + rope_dim/2 (neox).
void StreamingAttentionOracle::rotate(std::vector<double> &x, uint32_t n_heads, int64_t position) {
  const RopeConfig &r = config_.rope;
  const uint32_t half = r.rope_dim / 2;
  const std::vector<double> &table = angles(position);
  for (uint32_t i = 0; i < half; ++i) {
    const double c = table[2 * i];
    const double s = table[2 * i + 1];
    for (uint32_t h = 0; h < n_heads; ++h) {
      double *head = x.data() + static_cast<size_t>(h) * r.head_dim;
      const uint32_t a = r.style == RopeStyle::norm ? 2 * i : i;
      const uint32_t b = r.style == RopeStyle::norm ? 2 * i + 1 : i + half;
      const double x0 = head[a];
      const double x1 = head[b];
      head[a] = x0 * c - x1 * s;
      head[b] = x0 * s + x1 * c;
    }
  }
}

std::vector<double> StreamingAttentionOracle::step(uint32_t layer, uint64_t stream_index, const float *k,
                                                   const float *v, const float *q) {
  const OracleConfig &c = config_;
  LayerState &state = layers_[layer];
  const size_t k_count = static_cast<size_t>(c.n_head_kv) * c.head_dim_k;
  const size_t v_count = static_cast<size_t>(c.n_head_kv) * c.head_dim_v;
  auto stored = [&](float x) {
    return c.round_kv_to_f16 ? static_cast<double>(f16_to_f32(f32_to_f16(x))) : static_cast<double>(x);
  };
  CachedToken token{stream_index, std::vector<double>(k_count), std::vector<double>(v_count)};
  for (size_t i = 0; i < k_count; ++i) token.k[i] = stored(k[i]);
  for (size_t i = 0; i < v_count; ++i) token.v[i] = stored(v[i]);

  if (state.sinks.size() < c.sink_slots) {
    state.sinks.push_back(token);
  } else {
    state.window.push_back(token);
    if (state.window.size() > c.window) state.window.pop_front();  // evict the oldest non-sink token
  }

  // All cached tokens in in-cache order with their positions.
  std::vector<const CachedToken *> cached;
  for (const CachedToken &t : state.sinks) cached.push_back(&t);
  for (const CachedToken &t : state.window) cached.push_back(&t);
  const size_t n = cached.size();
  auto position_of = [&](size_t slot) {
    return c.original_positions ? static_cast<int64_t>(cached[slot]->stream_index) : static_cast<int64_t>(slot);
  };

  std::vector<std::vector<double>> keys(n);
  for (size_t s = 0; s < n; ++s) {
    keys[s] = cached[s]->k;
    rotate(keys[s], c.n_head_kv, position_of(s));
  }
  std::vector<double> query(q, q + static_cast<size_t>(c.n_head) * c.head_dim_k);
  rotate(query, c.n_head, position_of(n - 1));

  const uint32_t group = c.n_head / c.n_head_kv;
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim_k));
  std::vector<double> out(static_cast<size_t>(c.n_head) * c.head_dim_v, 0.0);
  for (uint32_t h = 0; h < c.n_head; ++h) {
    const uint32_t kv = h / group;
    std::vector<double> scores(n);
    double max_score = -INFINITY;
    for (size_t s = 0; s < n; ++s) {
      double dot = 0.0;
      for (uint32_t d = 0; d < c.head_dim_k; ++d) {
        dot += query[static_cast<size_t>(h) * c.head_dim_k + d] * keys[s][static_cast<size_t>(kv) * c.head_dim_k + d];
      }
      scores[s] = dot * scale;
      max_score = std::fmax(max_score, scores[s]);
    }
    double sum = 0.0;
    for (double &x : scores) {
      x = std::exp(x - max_score);
      sum += x;
    }
    for (size_t s = 0; s < n; ++s) {
      scores[s] /= sum;
      for (uint32_t d = 0; d < c.head_dim_v; ++d) {
        out[static_cast<size_t>(h) * c.head_dim_v + d] += scores[s] * cached[s]->v[static_cast<size_t>(kv) * c.head_dim_v + d];
      }
    }
    state.probabilities[h] = scores;
  }
  return out;
}

const std::vector<double> &StreamingAttentionOracle::last_probabilities(uint32_t layer, uint32_t head) const {
  return layers_[layer].probabilities[head];
}

}  // namespace ballast::testing
