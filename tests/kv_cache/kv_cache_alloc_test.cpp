// The per-token path (begin_token, store_layer with eviction, rebase and sink
// re-rotation, rotate_query, layer_view, attention with a probe) never
// touches the heap.
#include <doctest/doctest.h>

#include "kv_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;
using namespace ballast::testing;

TEST_CASE("kv cache + rope + attention: zero heap allocations over 5000 tokens past eviction") {
  for (KvType type : {KvType::f16, KvType::f32}) {
    SinkRingCacheConfig c;
    c.n_layer = 3;
    c.n_head_kv = 2;
    c.head_dim_k = 16;
    c.head_dim_v = 16;
    c.sink_slots = 4;
    c.window = 32;
    c.kv_type = type;
    c.rope.style = RopeStyle::neox;
    c.rope.head_dim = 16;
    c.rope.rope_dim = 16;
    c.rebase_interval = 8;  // many rebases inside the counted region
    OwnedKvStorage owned(c);
    auto cache = SinkRingCache::create(c, owned.storage);
    REQUIRE(cache.is_ok());
    const uint32_t n_head = 4;
    std::mt19937 rng(6);
    std::vector<float> k(32), v(32), q(64), qw(64), out(64), scratch(16), probs(36);
    fill_normal(rng, k.data(), k.size());
    fill_normal(rng, v.data(), v.size());
    fill_normal(rng, q.data(), q.size());
    AttentionProbe probe{1, probs.data()};
    uint64_t failures = 0;
    AllocationCountScope scope;
    for (uint32_t i = 0; i < 5000; ++i) {
      failures += cache->begin_token(static_cast<int32_t>(i)).is_ok() ? 0 : 1;
      for (uint32_t layer = 0; layer < c.n_layer; ++layer) {
        k[i % k.size()] += 0.25f;  // vary the data a little, without allocating
        failures += fast_path_layer(*cache, layer, n_head, k.data(), v.data(), q.data(), qw.data(), out.data(),
                                    scratch.data(), scratch.size(), &probe)
                            .is_ok()
                        ? 0
                        : 1;
      }
    }
    const uint64_t allocations = scope.count();
    CHECK(failures == 0);
    CHECK(allocations == 0);
    CHECK(cache->evictions() == 5000 - 36);
  }
}
