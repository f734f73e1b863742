// Software prefetch of a decode attention call's next block of KV rows,
// shared by the SIMD attention bodies (attention_x86_impl.h,
// attention_neon.cpp). Include ONLY from files compiled with ISA flags:
// everything here has internal linkage (anonymous namespace). Plain C++
// (__builtin_prefetch), no intrinsics: 64-byte lines assumed (x86, Cortex-A7,
// A53, A72, A76).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/attention/attention.h"

namespace ballast {
namespace {

// Software prefetch of the next block_slots slots' K and V rows (they may
// span segments: the 4 sink slots, then the ring's runs) while the current
// block is computed. A block's rows of all KV heads are contiguous, but each
// query head reads only its KV head's slice of every slot row
// (1/n_head_kv of it, e.g. 128 of 384 bytes for SmolLM2): a strided pattern
// the hardware prefetchers follow poorly, so without this the first head set
// of every KV head waits on memory slot by slot. `tick()` is called once per
// unit of work (4 scored slots, 1 accumulated value row) and issues
// `lines_per_tick` cache-line prefetches, so the whole next window is
// requested over the current block; what a short block (the sinks) leaves
// unrequested is issued at once by `flush()` before the next window starts.
struct PrefetchCursor {
  // A range: `rows` rows `stride` bytes apart from `base`, bytes [lo, hi) of each.
  struct Range {
    const char *base;
    size_t rows, stride, lo, hi;
  };
  static constexpr int kMaxRanges = 8;
  Range ranges[kMaxRanges] = {};
  int n_ranges = 0;
  int range = 0;      // the range being requested
  size_t row = 0;     // its row
  size_t offset = 0;  // and the byte in that row
  uint32_t lines_per_tick = 0;

  void add(const void *base, size_t rows, size_t stride, size_t lo, size_t hi) {
    if (rows == 0 || lo >= hi || n_ranges == kMaxRanges) return;
    if (lo == 0 && hi == stride) {  // whole rows: one contiguous run
      hi = rows * stride;
      stride = hi;
      rows = 1;
    }
    ranges[n_ranges] = Range{static_cast<const char *>(base), rows, stride, lo, hi};
    if (n_ranges == 0) offset = lo;
    ++n_ranges;
  }
  bool request_one() {
    while (range < n_ranges && row >= ranges[range].rows) {
      if (++range < n_ranges) {
        row = 0;
        offset = ranges[range].lo;
      }
    }
    if (range >= n_ranges) return false;
    const Range &r = ranges[range];
    __builtin_prefetch(r.base + row * r.stride + offset, 0, 2);  // x86 prefetcht1, aarch64 PLDL2KEEP, armv7 PLD
    offset += 64;
    if (offset >= r.hi) {
      ++row;
      offset = r.lo;
    }
    return true;
  }
  void tick() {
    for (uint32_t i = 0; i < lines_per_tick && request_one(); ++i) {
    }
  }
  void flush() {
    while (request_one()) {
    }
  }
};

// The K and V rows of the `slots` slots that follow slot `begin` of segment
// `s` (across segments), as prefetch ranges: only the KV heads
// [kv_begin, kv_end) the call reads (a thread that has some of the query
// heads leaves the other KV heads' bytes to the thread that reads them).
template <typename T>
void add_window(PrefetchCursor *cursor, const AttentionShape &shape, uint32_t kv_begin, uint32_t kv_end,
                const KvSegment *segments, uint32_t n_segments, uint32_t s, uint32_t begin, size_t slots) {
  const size_t k_row = size_t{shape.n_head_kv} * shape.head_dim_k * sizeof(T);  // bytes per slot
  const size_t v_row = size_t{shape.n_head_kv} * shape.head_dim_v * sizeof(T);
  const size_t k_lo = size_t{kv_begin} * shape.head_dim_k * sizeof(T),
               k_hi = size_t{kv_end} * shape.head_dim_k * sizeof(T);
  const size_t v_lo = size_t{kv_begin} * shape.head_dim_v * sizeof(T),
               v_hi = size_t{kv_end} * shape.head_dim_v * sizeof(T);
  while (slots > 0 && s < n_segments) {
    if (begin >= segments[s].n_slots) {
      ++s;
      begin = 0;
      continue;
    }
    const size_t take = segments[s].n_slots - begin < slots ? segments[s].n_slots - begin : slots;
    cursor->add(static_cast<const char *>(segments[s].keys) + begin * k_row, take, k_row, k_lo, k_hi);
    cursor->add(static_cast<const char *>(segments[s].values) + begin * v_row, take, v_row, v_lo, v_hi);
    slots -= take;
    begin += static_cast<uint32_t>(take);
  }
}

// Lines per tick that spread a window of `block_slots` slots (KV heads
// [kv_begin, kv_end), `elem` bytes per element) over `ticks` ticks.
template <typename T>
uint32_t window_lines_per_tick(const AttentionShape &shape, uint32_t kv_begin, uint32_t kv_end, size_t block_slots,
                               uint64_t ticks) {
  const uint64_t lines =
      uint64_t{block_slots} * (kv_end - kv_begin) * (uint64_t{shape.head_dim_k} + shape.head_dim_v) * sizeof(T) / 64 +
      2 * uint64_t{block_slots};
  if (ticks == 0) ticks = 1;
  return static_cast<uint32_t>((lines + ticks - 1) / ticks);
}

}  // namespace
}  // namespace ballast
