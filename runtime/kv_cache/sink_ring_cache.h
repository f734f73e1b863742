// SinkRingCache: the StreamingLLM KV cache (S attention-sink slots + a W-slot
// ring per layer) over arena memory. It never allocates: every byte comes
// from the memory plan's regions, handed in at creation. See
// kv_positions.h for the position scheme (in-cache positions, window keys
// stored rotated, sink keys re-rotated each step, periodic rebase).
//
// Storage (regions of the memory plan, element = f16 bits or f32):
//   kv_sinks:             K [n_layer][S][n_head_kv][head_dim_k]  pre-RoPE
//                         then V [n_layer][S][n_head_kv][head_dim_v]
//   kv_ring:              K [n_layer][W][n_head_kv][head_dim_k]  rotated at stored positions
//                         then V [n_layer][W][n_head_kv][head_dim_v]
//   kv_sink_keys_rotated: K [n_layer][S][n_head_kv][head_dim_k]  sinks rotated for the current step
//   kv_slot_table:        [S + W] KvSlotEntry (sinks, then ring slots by physical index)
//   kv_rope_state:        u64 [n_layer] next stream index each layer stores,
//                         then f32 cos/sin tables [S + 2][rope_dim/2][2]:
//                         query position, rebase delta (store_chunk's
//                         per-token query table too), sink positions 0..S-1.
//
// Per token (decode):
//   t = begin_token(id)                      // bookkeeping; dense mode fails at capacity
//   for each layer l:
//     store_layer(l, k_pre_rope, v)          // writes slot, rebases / re-rotates sinks
//     rotate_query(l, q)                     // q at the same frame as the stored keys
//     attend_one_query(shape, q, view.segments, ...)   with view = layer_view(l)
// Layers may lag behind begin_token (layer-major prefill: begin a chunk, then
// run each layer over it token by token); each layer stores tokens in order.
//
// Threads: a cache is used by one thread at a time (store_layer,
// rotate_query and the RoPE tables mutate it). Once layer_view() returned,
// attention over the view is read-only: threads may split the heads
// (attend_one_query_heads), each with its own scratch (the plan's
// thread_scratch scores [S + W] floats are enough; any size >= 1 works).
//
// Modes: sink (S >= 1), window (S = 0), dense (no eviction; begin_token of
// token S+W+1 fails with out_of_range), recompute (behaves as sink/window;
// the engine rebuilds the cache every step from cached_token_ids() after
// clear()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kernels/attention/attention.h"
#include "kernels/quant/quant_rows.h"
#include "kernels/rope/rope.h"
#include "platform/status.h"
#include "runtime/arena.h"
#include "runtime/kv_cache/kv_positions.h"
#include "runtime/memory_plan.h"

namespace ballast {

enum class KvCacheMode { sink, window, dense, recompute };
const char *kv_cache_mode_name(KvCacheMode mode);
Result<KvCacheMode> parse_kv_cache_mode(std::string_view name);

struct SinkRingCacheConfig {
  uint32_t n_layer = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;
  uint32_t head_dim_v = 0;
  uint32_t sink_slots = 4;  // S (0..64)
  uint32_t window = 0;      // W ring slots (>= 1)
  KvType kv_type = KvType::f16;
  KvCacheMode mode = KvCacheMode::sink;
  RopeConfig rope;          // head_dim must equal head_dim_k
  // The row rotations to use: the dispatch table's (KernelTable::rope, what
  // a session passes) or the scalar reference; every variant gives the same bits.
  RopeKernels rope_kernels = rope_kernels_scalar();
  // f32 row -> f16 row, round to nearest even (the value rows and the sinks'
  // pre-RoPE keys of an f16 cache): the dispatch table's F16 activation
  // converter (what a session passes) or the scalar one; the same bits.
  void (*f16_row)(const float *src, void *dst, int64_t n) = quantize_row_f16;
  // Tokens per rebase epoch: 0 = every `window` tokens (default),
  // kKvNeverRebase = never (stored positions follow the stream index).
  uint32_t rebase_interval = 0;
};

// One entry of the slot table (16 bytes).
struct KvSlotEntry {
  int32_t token_id;       // vocabulary id, -1 when the slot is empty
  uint32_t reserved;      // zero
  uint64_t stream_index;  // position of the token in the whole stream (0-based)
};
static_assert(sizeof(KvSlotEntry) == 16, "slot table entries are 16 bytes (memory plan)");

struct ByteSpan {
  uint8_t *data = nullptr;
  uint64_t bytes = 0;
};

struct SinkRingCacheStorage {
  ByteSpan sinks;               // kv_sinks
  ByteSpan ring;                // kv_ring
  ByteSpan sink_keys_rotated;   // kv_sink_keys_rotated
  ByteSpan slot_table;          // kv_slot_table
  ByteSpan rope_state;          // kv_rope_state
};

// Looks the five regions up by name among carved arena regions.
Result<SinkRingCacheStorage> kv_cache_storage_from_regions(const ArenaRegion *regions, size_t count);

// What attention over one layer needs: up to 3 segments in in-cache order
// (sinks, ring oldest part, ring wrapped part), empty ones left out.
struct KvLayerView {
  KvSegment segments[3];
  uint32_t n_segments = 0;
  uint32_t total_slots = 0;      // = in-cache position of the query + 1
  uint64_t stream_index = 0;     // the token this view is for
  int64_t query_position = 0;    // stored-frame position the query is rotated at
};

class SinkRingCache {
 public:
  // Validates the config and that every region is large enough (errors name
  // the region, needed and given bytes); the cache starts empty at stream
  // index 0.
  static Result<SinkRingCache> create(const SinkRingCacheConfig &config, const SinkRingCacheStorage &storage);

  // Empties the cache; the next token gets stream index `first_stream_index`.
  void clear(uint64_t first_stream_index = 0);

  // Registers the next token of the stream; returns its stream index.
  // Dense mode: out_of_range once S + W tokens are cached.
  Result<uint64_t> begin_token(int32_t token_id);

  // Stores layer `layer`'s K (pre-RoPE, f32 [n_head_kv][head_dim_k]) and V
  // (f32 [n_head_kv][head_dim_v]) for the next token this layer has not
  // stored yet (which begin_token must have registered). Rotates the key,
  // rebases the layer's ring when an epoch starts and re-rotates its sinks.
  Status store_layer(uint32_t layer, const float *k, const float *v);

  // Rotates q (pre-RoPE, f32 [n_head][head_dim_k]) in place for attention at
  // layer `layer`'s last stored token. Call after store_layer.
  Status rotate_query(uint32_t layer, float *q, uint32_t n_head);

  // Segments for attend_one_query at layer `layer`'s last stored token.
  Result<KvLayerView> layer_view(uint32_t layer) const;

  // Chunk attention (the forward pass's prefill over the thread pool):
  // store a layer's n next tokens first, then let all n attend at once.
  // That gives each token the view the per-token order (store, attend,
  // store, attend, ...) gave it only if storing the later tokens changes
  // nothing an earlier one reads. chunk_keeps_views(layer, n) says whether
  // that holds for layer `layer`'s next n tokens (registered with
  // begin_token, not stored yet):
  //   * no token of the chunk evicts (the cache was never full: nothing is
  //     overwritten, so the ring does not move under earlier queries);
  //   * the frame base is the same for all of them (no rebase with a
  //     non-zero delta re-rotates stored ring keys inside the chunk; a
  //     rebase before the chunk's first store is fine);
  //   * the sinks' stored positions are the same for all of them, so the
  //     per-step re-rotation of the sink keys rewrites the same bits.
  // Otherwise (a chunk that streams through eviction) use the per-token order.
  bool chunk_keeps_views(uint32_t layer, uint32_t n) const;
  // Stores layer `layer`'s next n tokens and rotates their queries, with
  // the results of n store_layer + rotate_query calls in token order (same
  // bits): k [n][k_stride] and v [n][v_stride] f32 pre-RoPE, q [n][q_stride]
  // f32 rotated in place ([n_head][head_dim_k] used per row). Needs
  // chunk_keeps_views(layer, n) (else invalid_argument, nothing stored);
  // cheaper than the per-token calls: the sink keys and their tables are
  // rotated/computed once per chunk instead of once per token.
  Status store_chunk(uint32_t layer, uint32_t n, const float *k, size_t k_stride, const float *v, size_t v_stride,
                     float *q, size_t q_stride, uint32_t n_head);
  // Stream index of the next token layer `layer` stores.
  uint64_t layer_next(uint32_t layer) const { return layer < config_.n_layer ? layer_next_[layer] : 0; }
  // The view token t (already stored by layer `layer`) attended over when it
  // was stored; equal to what layer_view() returned then as long as the
  // stores since kept views (chunk_keeps_views). Read-only: threads may call
  // it concurrently once the chunk's stores are done.
  Result<KvLayerView> layer_view_at(uint32_t layer, uint64_t t) const;

  // Token ids in in-cache order (sinks, then window oldest -> newest) as of
  // the last begun token; returns how many were written.
  Result<uint32_t> cached_token_ids(int32_t *out, uint32_t capacity) const;

  // Slot table entry (sinks 0..S-1, then ring slots S..S+W-1 by physical index).
  const KvSlotEntry &slot_entry(uint32_t slot) const { return slot_table_[slot]; }

  const SinkRingCacheConfig &config() const { return config_; }
  const KvPositionLayout &layout() const { return layout_; }
  TensorType kv_tensor_type() const { return config_.kv_type == KvType::f16 ? TensorType::f16 : TensorType::f32; }
  uint64_t tokens_begun() const { return next_token_ - layout_.first_stream_index; }
  uint32_t cached_tokens() const;          // after the last begun token
  uint64_t evictions() const;              // window tokens overwritten so far
  uint32_t capacity() const { return config_.sink_slots + config_.window; }

  // Snapshots (added for `ballast stream` checkpoints): the cache is its five
  // storage regions plus these counters; copying the region bytes and the
  // counters back restores it exactly (same config required).
  struct Counters {
    uint64_t first_stream_index = 0;
    uint64_t next_token = 0;
    uint64_t tables_token = 0;
    uint64_t tables_valid = 0;  // 0 or 1
  };
  Counters counters() const {
    return Counters{layout_.first_stream_index, next_token_, tables_token_, tables_valid_ ? 1u : 0u};
  }
  void restore_counters(const Counters &c) {
    layout_.first_stream_index = c.first_stream_index;
    next_token_ = c.next_token;
    tables_token_ = c.tables_token;
    tables_valid_ = c.tables_valid != 0;
  }
  const SinkRingCacheStorage &storage() const { return storage_; }

  // Bytes each region must have for `config` (the memory plan computes the same).
  static Result<SinkRingCacheStorage> required_bytes(const SinkRingCacheConfig &config);

 private:
  SinkRingCache() = default;

  size_t elem_bytes() const { return kv_type_bytes(config_.kv_type); }
  size_t k_row() const { return size_t{config_.n_head_kv} * config_.head_dim_k; }  // elements per slot
  size_t v_row() const { return size_t{config_.n_head_kv} * config_.head_dim_v; }
  uint8_t *sink_k(uint32_t layer, uint32_t j) const;
  uint8_t *sink_v(uint32_t layer, uint32_t j) const;
  uint8_t *sink_k_rotated(uint32_t layer, uint32_t j) const;
  uint8_t *ring_k(uint32_t layer, uint32_t r) const;
  uint8_t *ring_v(uint32_t layer, uint32_t r) const;
  float *table(uint32_t index) const;  // 0 query, 1 rebase delta, 2 + j sink j
  void ensure_tables(uint64_t t);
  void rebase_ring(uint32_t layer, uint64_t t);
  void write_token(uint32_t layer, uint64_t t, const float *k, const float *v, const float *query_table);
  void rotate_sinks(uint32_t layer, uint64_t t);
  void write_row(const float *src, uint8_t *dst, size_t n) const;
  void rotate_row(const float *cos_sin, const uint8_t *src, uint8_t *dst) const;

  SinkRingCacheConfig config_;
  KvPositionLayout layout_;
  SinkRingCacheStorage storage_;
  KvSlotEntry *slot_table_ = nullptr;  // [S + W]
  uint64_t *layer_next_ = nullptr;     // [n_layer] next stream index each layer stores
  float *tables_ = nullptr;            // [S + 2][rope_dim/2][2]
  uint64_t next_token_ = 0;            // stream index begin_token hands out next
  uint64_t tables_token_ = 0;          // token the tables were computed for
  bool tables_valid_ = false;
};

}  // namespace ballast
