// Where each token of the stream lives in the sink + ring KV cache, and at
// which RoPE position each cached key is stored. Pure functions of the stream
// index t (0-based count of tokens fed to the cache, 64-bit, never wraps in
// practice), so layers may run ahead of each other (layer-major prefill).
//
// ## In-cache positions (StreamingLLM, Xiao et al. 2024, §3.2)
// The first S tokens of the stream are the sinks, kept forever in sink slots
// 0..S-1. Every later token goes into a ring of W slots; once S + W tokens
// are cached, each new token overwrites the oldest window token. The window
// is therefore always a contiguous run of the stream: oldest o(t) .. newest t.
// Positions are assigned WITHIN the cache, not from the text: with n window
// tokens cached (the query, token t, included and newest),
//   sink j             -> position j
//   i-th oldest window -> position S + i          (i = 0 .. n-1)
//   the query t        -> position S + n - 1      (its own slot's position)
// e.g. cache [0,1,2,3 | 6,7,8] decoding 9 (S=4, W=4) uses positions 0..7.
//
// ## The fast path (what the cache stores)
// Attention scores depend only on the query-key position DIFFERENCE. So:
//   * window keys are stored already rotated at a "stored position"
//     s - base, where s is the token's stream index and base a frame origin;
//     the query is rotated at t - base. Query-window differences are t - s,
//     exactly the in-cache differences, and they never change as the window
//     slides, so window keys are rotated once, when written.
//   * sink keys are stored pre-RoPE and re-rotated each step (O(S*d) per
//     layer) at sink_stored_position(t, j) = (o(t) - base) - S + j, which puts
//     sink j at in-cache distance (S + t - o(t)) - j from the query, as the
//     paper assigns.
//   * rebase: positions would grow with the stream, so every R tokens
//     (R = rebase interval, default W) the frame moves: base(t) = o(t_e) - S
//     for the first token t_e of the epoch, and each layer re-rotates its ring
//     keys by base_old - base_new once (amortised O(W*d/R) per step). Right
//     after a rebase window keys sit exactly at their in-cache positions;
//     stored positions stay below S + W + R. Epoch 0 (t - first < R) uses
//     base 0, i.e. the stream index itself; with rebasing disabled that holds
//     forever, and double-precision angles (kernels/rope) keep it exact far
//     past 10^9 tokens.
// Dense mode: no eviction (the cache fails at S + W tokens); o(t) stays at
// first + S, positions are plain stream offsets.
#pragma once

#include <cstdint>

namespace ballast {

// Rebasing disabled: epoch 0 forever (stored position = stream index).
constexpr uint32_t kKvNeverRebase = UINT32_MAX;

struct KvPositionLayout {
  uint32_t sink_slots = 0;       // S
  uint32_t window = 1;           // W ring slots, >= 1
  bool evicts = true;            // false for dense mode
  uint32_t rebase_interval = 1;  // R >= 1 tokens per epoch, or kKvNeverRebase
  uint64_t first_stream_index = 0;  // stream index of the first token after clear()
};

// Where token t is written.
struct KvSlot {
  bool is_sink = false;
  uint32_t index = 0;  // sink slot j (0..S-1) or ring slot r (0..W-1)
};

// The cache contents right after token t is stored, in in-cache order:
// sinks 0..sinks-1, then ring slots (ring_oldest + i) % W for i < window_tokens.
struct KvOccupancy {
  uint32_t sinks = 0;          // sink slots filled
  uint32_t window_tokens = 0;  // window tokens cached (including t when t is not a sink)
  uint32_t ring_oldest = 0;    // ring slot of the oldest window token
  uint64_t oldest_window_token = 0;  // o(t): stream index of the oldest window token (first + S if none)
};

KvSlot kv_slot_of(const KvPositionLayout &layout, uint64_t t);
KvOccupancy kv_occupancy(const KvPositionLayout &layout, uint64_t t);

// Rebase epoch of token t and the frame origin base(t).
uint64_t kv_epoch(const KvPositionLayout &layout, uint64_t t);
int64_t kv_frame_base(const KvPositionLayout &layout, uint64_t t);

// Stored RoPE position (at time t) of window token or query s, and of sink j.
int64_t kv_stored_position(const KvPositionLayout &layout, uint64_t t, uint64_t s);
int64_t kv_sink_stored_position(const KvPositionLayout &layout, uint64_t t, uint32_t j);

// The paper's in-cache position of the query t (= tokens cached - 1).
uint64_t kv_query_in_cache_position(const KvPositionLayout &layout, uint64_t t);

}  // namespace ballast
