#include "runtime/kv_cache/kv_positions.h"

namespace ballast {
namespace {

uint64_t window_start(const KvPositionLayout &l) { return l.first_stream_index + l.sink_slots; }

// Stream index of the oldest window token once t is stored (first + S when
// the window is still empty or t itself is a sink).
uint64_t oldest_window_token(const KvPositionLayout &l, uint64_t t) {
  const uint64_t start = window_start(l);
  if (!l.evicts || t < start) return start;
  if (t + 1 >= start + l.window) return t + 1 - l.window;
  return start;
}

}  // namespace

KvSlot kv_slot_of(const KvPositionLayout &l, uint64_t t) {
  const uint64_t offset = t - l.first_stream_index;
  if (offset < l.sink_slots) return KvSlot{true, static_cast<uint32_t>(offset)};
  return KvSlot{false, static_cast<uint32_t>((offset - l.sink_slots) % l.window)};
}

KvOccupancy kv_occupancy(const KvPositionLayout &l, uint64_t t) {
  KvOccupancy occ;
  const uint64_t offset = t - l.first_stream_index;
  occ.sinks = offset < l.sink_slots ? static_cast<uint32_t>(offset + 1) : l.sink_slots;
  occ.oldest_window_token = oldest_window_token(l, t);
  if (offset >= l.sink_slots) {
    occ.window_tokens = static_cast<uint32_t>(t - occ.oldest_window_token + 1);
    occ.ring_oldest = static_cast<uint32_t>((occ.oldest_window_token - window_start(l)) % l.window);
  }
  return occ;
}

uint64_t kv_epoch(const KvPositionLayout &l, uint64_t t) {
  if (l.rebase_interval == kKvNeverRebase) return 0;
  return (t - l.first_stream_index) / l.rebase_interval;
}

int64_t kv_frame_base(const KvPositionLayout &l, uint64_t t) {
  const uint64_t epoch = kv_epoch(l, t);
  if (epoch == 0) return 0;
  const uint64_t epoch_first_token = l.first_stream_index + epoch * l.rebase_interval;
  return static_cast<int64_t>(oldest_window_token(l, epoch_first_token) - l.sink_slots);
}

int64_t kv_stored_position(const KvPositionLayout &l, uint64_t t, uint64_t s) {
  return static_cast<int64_t>(s) - kv_frame_base(l, t);
}

int64_t kv_sink_stored_position(const KvPositionLayout &l, uint64_t t, uint32_t j) {
  return static_cast<int64_t>(oldest_window_token(l, t)) - kv_frame_base(l, t) - static_cast<int64_t>(l.sink_slots) +
         static_cast<int64_t>(j);
}

uint64_t kv_query_in_cache_position(const KvPositionLayout &l, uint64_t t) {
  const KvOccupancy occ = kv_occupancy(l, t);
  return static_cast<uint64_t>(occ.sinks) + occ.window_tokens - 1;
}

}  // namespace ballast
