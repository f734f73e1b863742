// The test oracle for the KV cache: StreamingLLM attention done the
// straightforward way (the paper's reference). Keys are kept pre-RoPE; every
// step it re-rotates ALL cached keys at their in-cache positions (sink j at
// j, window token i at S + i, the query at the last position), and runs a
// plain two-pass softmax, everything in double. It shares no code with the
// fast path (own eviction with a deque, own rotation, own softmax), and
// allocates freely: it is only for tests.
//
// `original_positions` turns it into the WRONG scheme some runtimes ship
// (keys keep their stream positions): tests use it as a negative control.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "kernels/rope/rope.h"

namespace ballast::testing {

struct OracleConfig {
  uint32_t sink_slots = 0;   // S
  uint32_t window = 1;       // W
  uint32_t n_layer = 1;
  uint32_t n_head = 1;
  uint32_t n_head_kv = 1;
  uint32_t head_dim_k = 0;
  uint32_t head_dim_v = 0;
  RopeConfig rope;           // style, dims, base, scale, factors
  bool round_kv_to_f16 = false;    // store K (pre-RoPE) and V as f16 would
  bool original_positions = false;  // negative control: positions from the stream
};

class StreamingAttentionOracle {
 public:
  explicit StreamingAttentionOracle(const OracleConfig &config);

  // Adds the token's K/V for `layer` (pre-RoPE) with its stream index, evicts
  // the oldest non-sink token past S + W, and returns attention of q
  // (pre-RoPE, [n_head][head_dim_k]) over the cache: [n_head][head_dim_v].
  std::vector<double> step(uint32_t layer, uint64_t stream_index, const float *k, const float *v, const float *q);

  // Per-slot probabilities of `head` in the last step of `layer` (in-cache order).
  const std::vector<double> &last_probabilities(uint32_t layer, uint32_t head) const;

 private:
  struct CachedToken {
    uint64_t stream_index;
    std::vector<double> k;  // pre-RoPE [n_head_kv][head_dim_k]
    std::vector<double> v;  // [n_head_kv][head_dim_v]
  };
  struct LayerState {
    std::vector<CachedToken> sinks;
    std::deque<CachedToken> window;
    std::vector<std::vector<double>> probabilities;  // [n_head][slots]
  };

  void rotate(std::vector<double> &x, uint32_t n_heads, int64_t position);
  // {cos, sin} [rope_dim/2][2] at `position`, computed once per position.
  const std::vector<double> &angles(int64_t position);

  OracleConfig config_;
  std::vector<long double> frequencies_;  // [rope_dim/2] radians per position
  std::unordered_map<int64_t, std::vector<double>> angle_cache_;
  std::vector<LayerState> layers_;
};

}  // namespace ballast::testing
