// Where attention goes, per layer and query head: the share of the softmax
// mass on the sink slots, on the most recent tokens, on the middle of the
// window between them, and on the oldest slot in the cache (slot 0: the sink
// when there are sinks, otherwise the oldest window token, which a model
// without sinks may use as one). Averaged over the queries seen while
// enabled. An AttentionObserver: install it with
// Session::set_attention_observer; `ballast attention` prints it.
//
// Slot classes of a view with T slots (the query's own slot last):
//   sinks  = the first min(sink_slots, T) slots
//   recent = the last min(recent, T - sinks) slots (includes the query itself)
//   middle = everything between
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/engine/attention_observer.h"
#include "runtime/engine/model.h"

namespace ballast {

struct HeadShares {
  double sinks = 0;   // mean share of attention on sink slots
  double middle = 0;  // ... on the middle of the window
  double recent = 0;  // ... on the most recent tokens
  double first = 0;   // ... on slot 0 alone
};

class AttentionShares : public AttentionObserver {
 public:
  // Buffers are sized here, once, for views of up to `max_slots` slots.
  AttentionShares(const ModelConfig &config, uint32_t sink_slots, uint32_t recent, uint32_t max_slots);

  void set_enabled(bool enabled) { enabled_ = enabled; }
  void on_query(uint32_t layer, const float *q, const KvLayerView &view, const AttentionShape &shape) override;

  uint32_t layers() const { return n_layer_; }
  uint32_t heads() const { return n_head_; }
  uint64_t queries(uint32_t layer) const { return queries_[layer]; }
  HeadShares shares(uint32_t layer, uint32_t head) const;  // means; zeros before any query
  // First error met by on_query (it cannot return one), ok if none.
  const Status &status() const { return status_; }

 private:
  uint32_t n_layer_, n_head_, sink_slots_, recent_;
  bool enabled_ = true;
  std::vector<float> probabilities_;  // [max_slots]
  std::vector<float> out_;            // [n_head][head_dim_v], discarded
  std::vector<float> scratch_;        // attention score block
  std::vector<HeadShares> sums_;      // [n_layer][n_head]
  std::vector<uint64_t> queries_;     // [n_layer]
  Status status_;
};

}  // namespace ballast
