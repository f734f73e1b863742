// The position scheme checked by brute force: for every token t of long
// streams, the stored-frame distances between the query and every cached key
// equal the paper's in-cache distances, and stored positions stay bounded.
#include <doctest/doctest.h>

#include <vector>

#include "runtime/kv_cache/kv_positions.h"

using namespace ballast;

TEST_CASE("kv positions: the paper example, cache of tokens 0 1 2 3 6 7 8 decoding 9 uses positions 0..7") {
  KvPositionLayout l;
  l.sink_slots = 4;
  l.window = 4;
  l.rebase_interval = kKvNeverRebase;
  const KvOccupancy occ = kv_occupancy(l, 9);
  CHECK(occ.sinks == 4);
  CHECK(occ.window_tokens == 4);
  CHECK(occ.oldest_window_token == 6);
  CHECK(kv_query_in_cache_position(l, 9) == 7);
  // Token 9 overwrites the ring slot of token 5 (window index 5 % 4 = 1).
  CHECK_FALSE(kv_slot_of(l, 9).is_sink);
  CHECK(kv_slot_of(l, 9).index == kv_slot_of(l, 5).index);
  CHECK(kv_slot_of(l, 2).is_sink);
  CHECK(kv_slot_of(l, 2).index == 2);
  // Query-to-sink-0 distance 7, query-to-token-6 distance 3.
  CHECK(kv_stored_position(l, 9, 9) - kv_sink_stored_position(l, 9, 0) == 7);
  CHECK(kv_stored_position(l, 9, 9) - kv_stored_position(l, 9, 6) == 3);
}

TEST_CASE("kv positions: stored-frame distances equal in-cache distances for every token, any S, W, R, start") {
  struct Layout {
    uint32_t s, w, r;
    bool evicts;
    uint64_t first;
  } layouts[] = {{4, 7, 7, true, 0},         {0, 7, 3, true, 0},      {1, 1, 1, true, 0},
                 {4, 1, 5, true, 0},         {4, 7, kKvNeverRebase, true, 0}, {2, 9, 4, true, 1000000000ull},
                 {3, 5, 2, false, 0},        {64, 3, 10, true, 17}};
  for (const Layout &x : layouts) {
    KvPositionLayout l;
    l.sink_slots = x.s;
    l.window = x.w;
    l.rebase_interval = x.r;
    l.evicts = x.evicts;
    l.first_stream_index = x.first;
    const uint64_t n = x.evicts ? 20 * (x.s + x.w) + 50 : x.s + x.w;
    int64_t max_stored = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t t = x.first + i;
      CAPTURE(x.s);
      CAPTURE(x.w);
      CAPTURE(i);
      const KvOccupancy occ = kv_occupancy(l, t);
      const uint64_t expected_cached = x.evicts ? std::min<uint64_t>(i + 1, x.s + x.w) : i + 1;
      REQUIRE(occ.sinks + occ.window_tokens == expected_cached);
      const uint64_t query_pos = kv_query_in_cache_position(l, t);
      REQUIRE(query_pos == expected_cached - 1);
      const int64_t q_stored = kv_stored_position(l, t, t);
      for (uint32_t j = 0; j < occ.sinks; ++j) {
        REQUIRE(q_stored - kv_sink_stored_position(l, t, j) == static_cast<int64_t>(query_pos - j));
      }
      for (uint32_t k = 0; k < occ.window_tokens; ++k) {
        const uint64_t s = occ.oldest_window_token + k;  // window is a contiguous run of the stream
        REQUIRE(kv_slot_of(l, s).index == (occ.ring_oldest + k) % x.w);
        REQUIRE(q_stored - kv_stored_position(l, t, s) == static_cast<int64_t>(query_pos - (x.s + k)));
        REQUIRE(kv_stored_position(l, t, s) >= 0);
      }
      if (kv_epoch(l, t) > 0) max_stored = std::max(max_stored, q_stored);
    }
    if (x.r != kKvNeverRebase && x.evicts) {
      CHECK(max_stored < static_cast<int64_t>(x.s + x.w + x.r));  // bounded, whatever the stream length
    }
  }
}

TEST_CASE("kv positions: after a rebase, window keys sit exactly at their in-cache positions") {
  KvPositionLayout l;
  l.sink_slots = 4;
  l.window = 6;
  l.rebase_interval = 6;
  for (uint64_t t = 6; t < 200; t += 6) {  // first token of each epoch
    const KvOccupancy occ = kv_occupancy(l, t);
    CHECK(kv_stored_position(l, t, t) == static_cast<int64_t>(kv_query_in_cache_position(l, t)));
    CHECK(kv_stored_position(l, t, occ.oldest_window_token) == 4);
    CHECK(kv_sink_stored_position(l, t, 0) == 0);
  }
}
