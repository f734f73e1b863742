#include "runtime/eval/attention_shares.h"

#include <algorithm>

namespace ballast {

AttentionShares::AttentionShares(const ModelConfig &config, uint32_t sink_slots, uint32_t recent, uint32_t max_slots)
    : n_layer_(config.n_layer),
      n_head_(config.n_head),
      sink_slots_(sink_slots),
      recent_(recent),
      probabilities_(max_slots),
      out_(static_cast<size_t>(config.n_head) * config.head_dim_v),
      scratch_(std::max<uint32_t>(max_slots, 1)),
      sums_(static_cast<size_t>(config.n_layer) * config.n_head),
      queries_(config.n_layer) {}

void AttentionShares::on_query(uint32_t layer, const float *q, const KvLayerView &view, const AttentionShape &shape) {
  if (!enabled_ || layer >= n_layer_ || !status_.is_ok()) return;
  const uint32_t total = view.total_slots;
  if (total == 0 || total > probabilities_.size()) {
    status_ = make_status(StatusCode::out_of_range, "attention view of %u slots exceeds the %zu planned", total,
                          probabilities_.size());
    return;
  }
  const uint32_t sinks = std::min(sink_slots_, total);
  const uint32_t recent = std::min(recent_, total - sinks);
  for (uint32_t h = 0; h < n_head_; ++h) {
    AttentionProbe probe;
    probe.head = h;
    probe.probabilities = probabilities_.data();
    Status s = attend_one_query_heads(shape, h, h + 1, q, view.segments, view.n_segments, out_.data(),
                                      scratch_.data(), scratch_.size(), &probe);
    if (!s.is_ok()) {
      status_ = s;
      return;
    }
    double sink_mass = 0, recent_mass = 0, middle_mass = 0;
    for (uint32_t i = 0; i < total; ++i) {
      const double p = probabilities_[i];
      if (i < sinks) {
        sink_mass += p;
      } else if (i >= total - recent) {
        recent_mass += p;
      } else {
        middle_mass += p;
      }
    }
    HeadShares &sum = sums_[static_cast<size_t>(layer) * n_head_ + h];
    sum.sinks += sink_mass;
    sum.recent += recent_mass;
    sum.middle += middle_mass;
    sum.first += probabilities_[0];
  }
  queries_[layer] += 1;
}

HeadShares AttentionShares::shares(uint32_t layer, uint32_t head) const {
  HeadShares mean;
  if (layer >= n_layer_ || head >= n_head_ || queries_[layer] == 0) return mean;
  const HeadShares &sum = sums_[static_cast<size_t>(layer) * n_head_ + head];
  const double n = static_cast<double>(queries_[layer]);
  mean.sinks = sum.sinks / n;
  mean.middle = sum.middle / n;
  mean.recent = sum.recent / n;
  mean.first = sum.first / n;
  return mean;
}

}  // namespace ballast
