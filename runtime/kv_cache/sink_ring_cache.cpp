#include "runtime/kv_cache/sink_ring_cache.h"

#include <cstring>
#include <initializer_list>

namespace ballast {
namespace {

constexpr uint32_t kMaxSinkSlots = 64;

Status check_region(const char *name, const ByteSpan &given, uint64_t needed) {
  if (needed > 0 && given.data == nullptr) {
    return make_status(StatusCode::invalid_argument, "KV cache region %s is missing (%llu bytes needed)", name,
                       static_cast<unsigned long long>(needed));
  }
  if (given.bytes < needed) {
    return make_status(StatusCode::out_of_memory, "KV cache region %s has %llu bytes, needs %llu (missing %llu)", name,
                       static_cast<unsigned long long>(given.bytes), static_cast<unsigned long long>(needed),
                       static_cast<unsigned long long>(needed - given.bytes));
  }
  return Status::ok();
}

}  // namespace

const char *kv_cache_mode_name(KvCacheMode mode) {
  switch (mode) {
    case KvCacheMode::sink: return "sink";
    case KvCacheMode::window: return "window";
    case KvCacheMode::dense: return "dense";
    case KvCacheMode::recompute: return "recompute";
  }
  return "unknown";
}

Result<KvCacheMode> parse_kv_cache_mode(std::string_view name) {
  if (name == "sink") return KvCacheMode::sink;
  if (name == "window") return KvCacheMode::window;
  if (name == "dense") return KvCacheMode::dense;
  if (name == "recompute") return KvCacheMode::recompute;
  return make_status(StatusCode::invalid_argument, "unknown KV cache mode '%.*s' (expected sink, window, dense or recompute)",
                     static_cast<int>(name.size()), name.data());
}

Result<SinkRingCacheStorage> kv_cache_storage_from_regions(const ArenaRegion *regions, size_t count) {
  SinkRingCacheStorage storage;
  struct Wanted {
    const char *name;
    ByteSpan *span;
  } wanted[] = {{"kv_sinks", &storage.sinks},
                {"kv_ring", &storage.ring},
                {"kv_sink_keys_rotated", &storage.sink_keys_rotated},
                {"kv_slot_table", &storage.slot_table},
                {"kv_rope_state", &storage.rope_state}};
  for (const Wanted &w : wanted) {
    bool found = false;
    for (size_t i = 0; i < count && !found; ++i) {
      if (regions[i].name != nullptr && std::strcmp(regions[i].name, w.name) == 0) {
        *w.span = ByteSpan{regions[i].data, regions[i].bytes};
        found = true;
      }
    }
    if (!found) return make_status(StatusCode::invalid_argument, "memory plan has no region named %s", w.name);
  }
  return storage;
}

Result<SinkRingCacheStorage> SinkRingCache::required_bytes(const SinkRingCacheConfig &c) {
  bool overflow = false;
  auto mul = [&overflow](std::initializer_list<uint64_t> factors) {
    uint64_t product = 1;
    for (uint64_t f : factors) {
      if (f != 0 && product > UINT64_MAX / f) overflow = true;
      product *= f;
    }
    return product;
  };
  const uint64_t elem = kv_type_bytes(c.kv_type);
  const uint64_t k_row = mul({c.n_head_kv, c.head_dim_k});
  const uint64_t v_row = mul({c.n_head_kv, c.head_dim_v});
  SinkRingCacheStorage need;
  need.sinks.bytes = mul({c.n_layer, c.sink_slots, k_row + v_row, elem});
  need.ring.bytes = mul({c.n_layer, c.window, k_row + v_row, elem});
  need.sink_keys_rotated.bytes = mul({c.n_layer, c.sink_slots, k_row, elem});
  need.slot_table.bytes = mul({uint64_t{c.sink_slots} + c.window, sizeof(KvSlotEntry)});
  need.rope_state.bytes = mul({c.n_layer, 8}) + mul({uint64_t{c.sink_slots} + 2, c.rope.rope_dim, 4});
  if (overflow) return make_status(StatusCode::invalid_argument, "KV cache shape overflows 64-bit sizes");
  return need;
}

Result<SinkRingCache> SinkRingCache::create(const SinkRingCacheConfig &c, const SinkRingCacheStorage &storage) {
  if (c.n_layer == 0 || c.n_head_kv == 0 || c.head_dim_k == 0 || c.head_dim_v == 0) {
    return make_status(StatusCode::invalid_argument, "KV cache: layers, KV heads and head dims must be positive");
  }
  if (c.window == 0) return make_status(StatusCode::invalid_argument, "KV cache: window must be at least 1 slot");
  if (c.rope_kernels.apply_f32 == nullptr || c.rope_kernels.apply_f16 == nullptr ||
      c.rope_kernels.apply_f32_to_f16 == nullptr) {
    return make_status(StatusCode::invalid_argument, "KV cache: the RoPE kernels are missing");
  }
  if (c.f16_row == nullptr) return make_status(StatusCode::invalid_argument, "KV cache: the f16 row converter is missing");
  if (c.sink_slots > kMaxSinkSlots) {
    return make_status(StatusCode::invalid_argument, "KV cache: %u sink slots exceed the maximum of %u", c.sink_slots,
                       kMaxSinkSlots);
  }
  if (c.mode == KvCacheMode::sink && c.sink_slots == 0) {
    return make_status(StatusCode::invalid_argument, "KV cache: mode sink needs at least 1 sink slot (use window for 0)");
  }
  if (c.mode == KvCacheMode::window && c.sink_slots != 0) {
    return make_status(StatusCode::invalid_argument, "KV cache: mode window has no sink slots, got %u", c.sink_slots);
  }
  if (c.rope.head_dim != c.head_dim_k) {
    return make_status(StatusCode::invalid_argument, "KV cache: rope head_dim %u differs from head_dim_k %u",
                       c.rope.head_dim, c.head_dim_k);
  }
  BALLAST_RETURN_IF_ERROR(validate_rope_config(c.rope));
  BALLAST_ASSIGN_OR_RETURN(SinkRingCacheStorage need, required_bytes(c));
  BALLAST_RETURN_IF_ERROR(check_region("kv_sinks", storage.sinks, need.sinks.bytes));
  BALLAST_RETURN_IF_ERROR(check_region("kv_ring", storage.ring, need.ring.bytes));
  BALLAST_RETURN_IF_ERROR(check_region("kv_sink_keys_rotated", storage.sink_keys_rotated, need.sink_keys_rotated.bytes));
  BALLAST_RETURN_IF_ERROR(check_region("kv_slot_table", storage.slot_table, need.slot_table.bytes));
  BALLAST_RETURN_IF_ERROR(check_region("kv_rope_state", storage.rope_state, need.rope_state.bytes));
  if (reinterpret_cast<uintptr_t>(storage.slot_table.data) % alignof(KvSlotEntry) != 0 ||
      reinterpret_cast<uintptr_t>(storage.rope_state.data) % 8 != 0 ||
      reinterpret_cast<uintptr_t>(storage.sinks.data) % 4 != 0 || reinterpret_cast<uintptr_t>(storage.ring.data) % 4 != 0 ||
      reinterpret_cast<uintptr_t>(storage.sink_keys_rotated.data) % 4 != 0) {
    return make_status(StatusCode::invalid_argument, "KV cache regions must be aligned (8 bytes for the tables, 4 for K/V)");
  }

  SinkRingCache cache;
  cache.config_ = c;
  cache.layout_.sink_slots = c.sink_slots;
  cache.layout_.window = c.window;
  cache.layout_.evicts = c.mode != KvCacheMode::dense;
  cache.layout_.rebase_interval = c.rebase_interval == 0 ? c.window : c.rebase_interval;
  cache.storage_ = storage;
  cache.slot_table_ = reinterpret_cast<KvSlotEntry *>(storage.slot_table.data);
  cache.layer_next_ = reinterpret_cast<uint64_t *>(storage.rope_state.data);
  cache.tables_ = reinterpret_cast<float *>(storage.rope_state.data + uint64_t{c.n_layer} * 8);
  cache.clear(0);
  return cache;
}

void SinkRingCache::clear(uint64_t first_stream_index) {
  layout_.first_stream_index = first_stream_index;
  next_token_ = first_stream_index;
  for (uint32_t l = 0; l < config_.n_layer; ++l) layer_next_[l] = first_stream_index;
  for (uint32_t s = 0; s < capacity(); ++s) slot_table_[s] = KvSlotEntry{-1, 0, 0};
  tables_valid_ = false;
}

uint8_t *SinkRingCache::sink_k(uint32_t layer, uint32_t j) const {
  return storage_.sinks.data + (size_t{layer} * config_.sink_slots + j) * k_row() * elem_bytes();
}
uint8_t *SinkRingCache::sink_v(uint32_t layer, uint32_t j) const {
  const size_t k_part = size_t{config_.n_layer} * config_.sink_slots * k_row() * elem_bytes();
  return storage_.sinks.data + k_part + (size_t{layer} * config_.sink_slots + j) * v_row() * elem_bytes();
}
uint8_t *SinkRingCache::sink_k_rotated(uint32_t layer, uint32_t j) const {
  return storage_.sink_keys_rotated.data + (size_t{layer} * config_.sink_slots + j) * k_row() * elem_bytes();
}
uint8_t *SinkRingCache::ring_k(uint32_t layer, uint32_t r) const {
  return storage_.ring.data + (size_t{layer} * config_.window + r) * k_row() * elem_bytes();
}
uint8_t *SinkRingCache::ring_v(uint32_t layer, uint32_t r) const {
  const size_t k_part = size_t{config_.n_layer} * config_.window * k_row() * elem_bytes();
  return storage_.ring.data + k_part + (size_t{layer} * config_.window + r) * v_row() * elem_bytes();
}
float *SinkRingCache::table(uint32_t index) const { return tables_ + size_t{index} * config_.rope.rope_dim; }

uint32_t SinkRingCache::cached_tokens() const {
  if (next_token_ == layout_.first_stream_index) return 0;
  const KvOccupancy occ = kv_occupancy(layout_, next_token_ - 1);
  return occ.sinks + occ.window_tokens;
}

uint64_t SinkRingCache::evictions() const {
  if (!layout_.evicts) return 0;
  const uint64_t begun = tokens_begun();
  return begun > capacity() ? begun - capacity() : 0;
}

Result<uint64_t> SinkRingCache::begin_token(int32_t token_id) {
  const uint64_t t = next_token_;
  if (!layout_.evicts && t - layout_.first_stream_index >= capacity()) {
    return make_status(StatusCode::out_of_range,
                       "dense KV cache is full: %u slots (%u sinks + %u window) hold tokens, no eviction in dense mode",
                       capacity(), config_.sink_slots, config_.window);
  }
  const KvSlot slot = kv_slot_of(layout_, t);
  const uint32_t entry = slot.is_sink ? slot.index : config_.sink_slots + slot.index;
  slot_table_[entry] = KvSlotEntry{token_id, 0, t};
  next_token_ = t + 1;
  return t;
}

void SinkRingCache::write_row(const float *src, uint8_t *dst, size_t n) const {
  if (config_.kv_type == KvType::f32) {
    std::memcpy(dst, src, n * sizeof(float));
    return;
  }
  config_.f16_row(src, dst, static_cast<int64_t>(n));
}

void SinkRingCache::rotate_row(const float *cos_sin, const uint8_t *src, uint8_t *dst) const {
  if (config_.kv_type == KvType::f32) {
    config_.rope_kernels.apply_f32(config_.rope, cos_sin, reinterpret_cast<const float *>(src),
                                   reinterpret_cast<float *>(dst), config_.n_head_kv);
  } else {
    config_.rope_kernels.apply_f16(config_.rope, cos_sin, reinterpret_cast<const uint16_t *>(src),
                                   reinterpret_cast<uint16_t *>(dst), config_.n_head_kv);
  }
}

void SinkRingCache::ensure_tables(uint64_t t) {
  if (tables_valid_ && tables_token_ == t) return;
  rope_cos_sin(config_.rope, kv_stored_position(layout_, t, t), table(0));
  for (uint32_t j = 0; j < config_.sink_slots; ++j) {
    rope_cos_sin(config_.rope, kv_sink_stored_position(layout_, t, j), table(2 + j));
  }
  tables_token_ = t;
  tables_valid_ = true;
}

// Moves layer `layer`'s window keys from the frame of token t-1 to that of t.
void SinkRingCache::rebase_ring(uint32_t layer, uint64_t t) {
  const uint64_t previous = t - 1;
  const KvOccupancy occ = kv_occupancy(layout_, previous);
  if (occ.window_tokens == 0) return;
  const int64_t delta = kv_frame_base(layout_, previous) - kv_frame_base(layout_, t);
  if (delta == 0) return;
  float *delta_table = table(1);
  rope_cos_sin(config_.rope, delta, delta_table);
  for (uint32_t i = 0; i < occ.window_tokens; ++i) {
    uint8_t *k = ring_k(layer, (occ.ring_oldest + i) % config_.window);
    rotate_row(delta_table, k, k);
  }
}

Status SinkRingCache::store_layer(uint32_t layer, const float *k, const float *v) {
  if (layer >= config_.n_layer) {
    return make_status(StatusCode::invalid_argument, "KV cache: layer %u out of range (%u layers)", layer, config_.n_layer);
  }
  const uint64_t t = layer_next_[layer];
  if (t >= next_token_) {
    return make_status(StatusCode::invalid_argument,
                       "KV cache: layer %u stores token %llu which begin_token has not registered", layer,
                       static_cast<unsigned long long>(t - layout_.first_stream_index));
  }
  if (t > layout_.first_stream_index && kv_epoch(layout_, t) != kv_epoch(layout_, t - 1)) rebase_ring(layer, t);
  ensure_tables(t);
  write_token(layer, t, k, v, table(0));
  rotate_sinks(layer, t);
  layer_next_[layer] = t + 1;
  return Status::ok();
}

// Token t's K (pre-RoPE f32) and V into its slot: a sink's key as it is, a
// window key rotated with `query_table` (t's stored position).
void SinkRingCache::write_token(uint32_t layer, uint64_t t, const float *k, const float *v, const float *query_table) {
  const KvSlot slot = kv_slot_of(layout_, t);
  if (slot.is_sink) {
    write_row(k, sink_k(layer, slot.index), k_row());  // pre-RoPE
    write_row(v, sink_v(layer, slot.index), v_row());
  } else {
    uint8_t *dst = ring_k(layer, slot.index);
    if (config_.kv_type == KvType::f32) {
      config_.rope_kernels.apply_f32(config_.rope, query_table, k, reinterpret_cast<float *>(dst), config_.n_head_kv);
    } else {
      config_.rope_kernels.apply_f32_to_f16(config_.rope, query_table, k, reinterpret_cast<uint16_t *>(dst),
                                            config_.n_head_kv);
    }
    write_row(v, ring_v(layer, slot.index), v_row());
  }
}

// Sinks at their distance to query t (tables from ensure_tables(t)): O(S * d).
void SinkRingCache::rotate_sinks(uint32_t layer, uint64_t t) {
  const uint32_t sinks = kv_occupancy(layout_, t).sinks;
  for (uint32_t j = 0; j < sinks; ++j) rotate_row(table(2 + j), sink_k(layer, j), sink_k_rotated(layer, j));
}

// store_layer + rotate_query for n tokens, minus the work the chunk makes
// redundant (chunk_keeps_views): the sink tables and the sinks' rotated keys
// are the same for every token of the chunk, so they are computed once, for
// its last token (each earlier token reads a prefix of the same rows, the
// same bits); each token's own position still gets its own cos/sin table, in
// the rebase-delta table's place (free once rebase_ring, which only the
// chunk's first token can need with a non-zero delta, is done with it).
Status SinkRingCache::store_chunk(uint32_t layer, uint32_t n, const float *k, size_t k_stride, const float *v,
                                  size_t v_stride, float *q, size_t q_stride, uint32_t n_head) {
  if (!chunk_keeps_views(layer, n)) {
    return make_status(StatusCode::invalid_argument,
                       "KV cache: store_chunk of %u tokens on layer %u would evict, rebase or move the sinks inside "
                       "the chunk (store token by token)",
                       n, layer);
  }
  const uint64_t first = layer_next_[layer];
  float *query_table = table(1);
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t t = first + i;
    if (t > layout_.first_stream_index && kv_epoch(layout_, t) != kv_epoch(layout_, t - 1)) rebase_ring(layer, t);
    rope_cos_sin(config_.rope, kv_stored_position(layout_, t, t), query_table);
    write_token(layer, t, k + i * k_stride, v + i * v_stride, query_table);
    config_.rope_kernels.apply_f32(config_.rope, query_table, q + i * q_stride, q + i * q_stride, n_head);
  }
  const uint64_t last = first + n - 1;
  ensure_tables(last);  // computed once per chunk: later layers find them valid
  rotate_sinks(layer, last);
  layer_next_[layer] = last + 1;
  return Status::ok();
}

Status SinkRingCache::rotate_query(uint32_t layer, float *q, uint32_t n_head) {
  if (layer >= config_.n_layer || layer_next_[layer] == layout_.first_stream_index) {
    return make_status(StatusCode::invalid_argument, "KV cache: rotate_query on layer %u before store_layer", layer);
  }
  const uint64_t t = layer_next_[layer] - 1;
  ensure_tables(t);
  config_.rope_kernels.apply_f32(config_.rope, table(0), q, q, n_head);
  return Status::ok();
}

Result<KvLayerView> SinkRingCache::layer_view(uint32_t layer) const {
  if (layer >= config_.n_layer || layer_next_[layer] == layout_.first_stream_index) {
    return make_status(StatusCode::invalid_argument, "KV cache: layer_view on layer %u before store_layer", layer);
  }
  return layer_view_at(layer, layer_next_[layer] - 1);
}

bool SinkRingCache::chunk_keeps_views(uint32_t layer, uint32_t n) const {
  if (layer >= config_.n_layer || n == 0) return false;
  const uint64_t t0 = layer_next_[layer];
  if (t0 + n > next_token_) return false;  // not all registered
  const uint64_t last = t0 + n - 1;
  // Token `last` is the chunk's (S + W + 1)-th or later: it, or an earlier
  // one of the chunk, overwrites a window slot.
  if (layout_.evicts && last - layout_.first_stream_index >= capacity()) return false;
  const int64_t base = kv_frame_base(layout_, t0);
  const int64_t sink_position = kv_sink_stored_position(layout_, t0, 0);
  for (uint64_t t = t0 + 1; t <= last; ++t) {
    if (kv_frame_base(layout_, t) != base || kv_sink_stored_position(layout_, t, 0) != sink_position) return false;
  }
  return true;
}

Result<KvLayerView> SinkRingCache::layer_view_at(uint32_t layer, uint64_t t) const {
  if (layer >= config_.n_layer || t < layout_.first_stream_index || t >= layer_next_[layer]) {
    return make_status(StatusCode::invalid_argument, "KV cache: layer_view_at on layer %u for a token it has not stored",
                       layer);
  }
  const KvOccupancy occ = kv_occupancy(layout_, t);
  KvLayerView view;
  view.stream_index = t;
  view.query_position = kv_stored_position(layout_, t, t);
  if (occ.sinks > 0) view.segments[view.n_segments++] = KvSegment{sink_k_rotated(layer, 0), sink_v(layer, 0), occ.sinks};
  if (occ.window_tokens > 0) {
    const uint32_t first_run = occ.window_tokens < config_.window - occ.ring_oldest ? occ.window_tokens
                                                                                   : config_.window - occ.ring_oldest;
    view.segments[view.n_segments++] =
        KvSegment{ring_k(layer, occ.ring_oldest), ring_v(layer, occ.ring_oldest), first_run};
    if (first_run < occ.window_tokens) {
      view.segments[view.n_segments++] = KvSegment{ring_k(layer, 0), ring_v(layer, 0), occ.window_tokens - first_run};
    }
  }
  view.total_slots = occ.sinks + occ.window_tokens;
  return view;
}

Result<uint32_t> SinkRingCache::cached_token_ids(int32_t *out, uint32_t out_capacity) const {
  const uint32_t count = cached_tokens();
  if (count > out_capacity) {
    return make_status(StatusCode::invalid_argument, "KV cache holds %u tokens, output has room for %u", count,
                       out_capacity);
  }
  if (count == 0) return uint32_t{0};
  const KvOccupancy occ = kv_occupancy(layout_, next_token_ - 1);
  uint32_t n = 0;
  for (uint32_t j = 0; j < occ.sinks; ++j) out[n++] = slot_table_[j].token_id;
  for (uint32_t i = 0; i < occ.window_tokens; ++i) {
    out[n++] = slot_table_[config_.sink_slots + (occ.ring_oldest + i) % config_.window].token_id;
  }
  return n;
}

}  // namespace ballast
