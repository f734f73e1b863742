#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "kv_test_support.h"
#include "runtime/arena.h"
#include "runtime/kv_cache/kv_cache_config.h"
#include "runtime/memory_plan.h"

using namespace ballast;
using namespace ballast::testing;

namespace {

SinkRingCacheConfig small_config(uint32_t sinks, uint32_t window, KvCacheMode mode, KvType type = KvType::f32) {
  SinkRingCacheConfig c;
  c.n_layer = 2;
  c.n_head_kv = 2;
  c.head_dim_k = 8;
  c.head_dim_v = 8;
  c.sink_slots = sinks;
  c.window = window;
  c.kv_type = type;
  c.mode = mode;
  c.rope.head_dim = 8;
  c.rope.rope_dim = 8;
  return c;
}

// Runs `n` tokens (ids 100, 101, ...) through every layer with random data.
Status feed(SinkRingCache &cache, std::mt19937 &rng, uint32_t n, uint32_t n_head = 4) {
  const SinkRingCacheConfig &c = cache.config();
  std::vector<float> k(c.n_head_kv * c.head_dim_k), v(c.n_head_kv * c.head_dim_v), q(n_head * c.head_dim_k),
      qw(q.size()), out(n_head * c.head_dim_v), scratch(8);
  for (uint32_t i = 0; i < n; ++i) {
    BALLAST_ASSIGN_OR_RETURN(uint64_t t, cache.begin_token(static_cast<int32_t>(100 + cache.tokens_begun())));
    (void)t;
    for (uint32_t layer = 0; layer < c.n_layer; ++layer) {
      fill_normal(rng, k.data(), k.size());
      fill_normal(rng, v.data(), v.size());
      fill_normal(rng, q.data(), q.size());
      BALLAST_RETURN_IF_ERROR(fast_path_layer(cache, layer, n_head, k.data(), v.data(), q.data(), qw.data(), out.data(),
                                              scratch.data(), scratch.size()));
    }
  }
  return Status::ok();
}

std::vector<int32_t> ids_of(const SinkRingCache &cache) {
  std::vector<int32_t> ids(cache.capacity());
  auto n = cache.cached_token_ids(ids.data(), static_cast<uint32_t>(ids.size()));
  REQUIRE(n.is_ok());
  ids.resize(n.value());
  return ids;
}

}  // namespace

TEST_CASE("kv cache dense mode fails cleanly at capacity and stays usable") {
  const SinkRingCacheConfig c = small_config(2, 3, KvCacheMode::dense);
  OwnedKvStorage owned(c);
  auto cache = SinkRingCache::create(c, owned.storage);
  REQUIRE(cache.is_ok());
  std::mt19937 rng(1);
  REQUIRE(feed(*cache, rng, 5).is_ok());
  CHECK(cache->cached_tokens() == 5);
  auto sixth = cache->begin_token(7);
  CHECK(sixth.status().code() == StatusCode::out_of_range);
  CHECK(sixth.status().message().find("dense KV cache is full: 5 slots") != std::string::npos);
  CHECK(cache->cached_tokens() == 5);
  CHECK(cache->evictions() == 0);
  CHECK(ids_of(*cache) == std::vector<int32_t>{100, 101, 102, 103, 104});
  auto view = cache->layer_view(1);
  REQUIRE(view.is_ok());
  CHECK(view->total_slots == 5);
  CHECK(view->stream_index == 4);
  // After clear() it takes tokens again.
  cache->clear();
  CHECK(cache->cached_tokens() == 0);
  CHECK(feed(*cache, rng, 5).is_ok());
}

TEST_CASE("kv cache evicts the oldest non-sink token and token ids come back in in-cache order") {
  const SinkRingCacheConfig c = small_config(2, 3, KvCacheMode::sink);
  OwnedKvStorage owned(c);
  auto cache = SinkRingCache::create(c, owned.storage);
  REQUIRE(cache.is_ok());
  std::mt19937 rng(2);
  REQUIRE(feed(*cache, rng, 4).is_ok());
  CHECK(ids_of(*cache) == std::vector<int32_t>{100, 101, 102, 103});
  REQUIRE(feed(*cache, rng, 5).is_ok());  // 9 tokens: sinks 100, 101; window 106, 107, 108
  CHECK(ids_of(*cache) == std::vector<int32_t>{100, 101, 106, 107, 108});
  CHECK(cache->evictions() == 4);
  CHECK(cache->cached_tokens() == 5);
  CHECK(cache->slot_entry(0).token_id == 100);
  CHECK(cache->slot_entry(0).stream_index == 0);
  // Token 108 (stream index 8) is window token 6: ring slot 6 % 3 = 0.
  CHECK(cache->slot_entry(2).token_id == 108);
  CHECK(cache->slot_entry(2).stream_index == 8);
  auto view = cache->layer_view(0);
  REQUIRE(view.is_ok());
  CHECK(view->n_segments == 3);  // sinks, ring slots 1..2, ring slot 0
  CHECK(view->segments[0].n_slots == 2);
  CHECK(view->segments[1].n_slots == 2);
  CHECK(view->segments[2].n_slots == 1);
  std::vector<int32_t> small(3);
  CHECK_FALSE(cache->cached_token_ids(small.data(), 3).is_ok());
}

TEST_CASE("kv cache window mode and recompute hook: clear() then replay the cached ids") {
  const SinkRingCacheConfig c = small_config(0, 4, KvCacheMode::window);
  OwnedKvStorage owned(c);
  auto cache = SinkRingCache::create(c, owned.storage);
  REQUIRE(cache.is_ok());
  std::mt19937 rng(3);
  REQUIRE(feed(*cache, rng, 10).is_ok());
  CHECK(ids_of(*cache) == std::vector<int32_t>{106, 107, 108, 109});
  cache->clear(500);
  CHECK(cache->cached_tokens() == 0);
  CHECK(cache->begin_token(106).value() == 500);
  CHECK(ids_of(*cache) == std::vector<int32_t>{106});
}

TEST_CASE("kv cache layer-major use (prefill chunks) equals token-major use") {
  // Chunked prefill runs layer 0 over all tokens of the chunk, then layer 1;
  // the cache must give each (layer, token) the same attention as decode order.
  const SinkRingCacheConfig c = small_config(2, 3, KvCacheMode::sink);
  const uint32_t n_head = 4, n_tokens = 23, chunk = 5;
  std::mt19937 rng(4);
  const size_t kc = c.n_head_kv * c.head_dim_k, vc = c.n_head_kv * c.head_dim_v, qc = n_head * c.head_dim_k;
  std::vector<float> ks(n_tokens * 2 * kc), vs(n_tokens * 2 * vc), qs(n_tokens * 2 * qc);
  fill_normal(rng, ks.data(), ks.size());
  fill_normal(rng, vs.data(), vs.size());
  fill_normal(rng, qs.data(), qs.size());
  auto at = [](std::vector<float> &x, size_t count, uint32_t token, uint32_t layer) { return x.data() + (token * 2 + layer) * count; };
  std::vector<float> qw(qc), scratch(3), out(n_head * c.head_dim_v);

  OwnedKvStorage owned_a(c), owned_b(c);
  auto a = SinkRingCache::create(c, owned_a.storage);
  auto b = SinkRingCache::create(c, owned_b.storage);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  std::vector<float> token_major, layer_major(n_tokens * 2 * out.size());
  for (uint32_t t = 0; t < n_tokens; ++t) {
    REQUIRE(a->begin_token(static_cast<int32_t>(t)).is_ok());
    for (uint32_t layer = 0; layer < 2; ++layer) {
      REQUIRE(fast_path_layer(*a, layer, n_head, at(ks, kc, t, layer), at(vs, vc, t, layer), at(qs, qc, t, layer), qw.data(),
                              out.data(), scratch.data(), scratch.size())
                  .is_ok());
      token_major.insert(token_major.end(), out.begin(), out.end());
    }
  }
  for (uint32_t begin = 0; begin < n_tokens; begin += chunk) {
    const uint32_t end = std::min(n_tokens, begin + chunk);
    for (uint32_t t = begin; t < end; ++t) REQUIRE(b->begin_token(static_cast<int32_t>(t)).is_ok());
    for (uint32_t layer = 0; layer < 2; ++layer) {
      for (uint32_t t = begin; t < end; ++t) {
        REQUIRE(fast_path_layer(*b, layer, n_head, at(ks, kc, t, layer), at(vs, vc, t, layer), at(qs, qc, t, layer), qw.data(),
                                out.data(), scratch.data(), scratch.size())
                    .is_ok());
        std::memcpy(layer_major.data() + (t * 2 + layer) * out.size(), out.data(), out.size() * sizeof(float));
      }
    }
  }
  CHECK(token_major == layer_major);
}

namespace {
int g_f16_rows = 0;  // rows written through counting_f16_row
void counting_f16_row(const float *src, void *dst, int64_t n) {
  ++g_f16_rows;
  quantize_row_f16(src, dst, n);
}
}  // namespace

TEST_CASE("kv cache f16 rows go through the configured converter, and the table's gives the scalar bytes") {
  // Value width 13 (a vector and a tail for the 8-wide converters), f16 KV, sinks and ring filled.
  SinkRingCacheConfig c = small_config(2, 5, KvCacheMode::sink, KvType::f16);
  c.head_dim_v = 13;
  Result<const KernelTable *> table = host_kernel_table();
  REQUIRE(table.is_ok());
  const QuantizedMatmulKernels *f16 = table.value()->matmul_kernels(TensorType::f16);
  REQUIRE(f16 != nullptr);
  REQUIRE(f16->activation == ActivationType::f16);
  CAPTURE(table.value()->matmul_variant_name(TensorType::f16));
  SinkRingCacheConfig counted = c, simd = c;
  counted.f16_row = counting_f16_row;
  simd.f16_row = f16->quantize_activations;
  OwnedKvStorage owned_scalar(c), owned_counted(counted), owned_simd(simd);
  auto scalar_cache = SinkRingCache::create(c, owned_scalar.storage);
  auto counted_cache = SinkRingCache::create(counted, owned_counted.storage);
  auto simd_cache = SinkRingCache::create(simd, owned_simd.storage);
  REQUIRE(scalar_cache.is_ok());
  REQUIRE(counted_cache.is_ok());
  REQUIRE(simd_cache.is_ok());
  g_f16_rows = 0;
  for (SinkRingCache *cache : {&scalar_cache.value(), &counted_cache.value(), &simd_cache.value()}) {
    std::mt19937 rng(12);
    REQUIRE(feed(*cache, rng, 9).is_ok());
  }
  // 9 tokens x 2 layers: a value row each, plus the 2 sinks' pre-RoPE keys per layer.
  CHECK(g_f16_rows == 9 * 2 + 2 * 2);
  CHECK(owned_counted.sinks == owned_scalar.sinks);
  CHECK(owned_counted.ring == owned_scalar.ring);
  CHECK(owned_simd.sinks == owned_scalar.sinks);
  CHECK(owned_simd.ring == owned_scalar.ring);

  SinkRingCacheConfig missing = c;
  missing.f16_row = nullptr;
  CHECK(SinkRingCache::create(missing, owned_scalar.storage).status().message().find("f16 row converter") !=
        std::string::npos);
}

TEST_CASE("kv cache rejects bad configs, short regions and out-of-order calls") {
  SinkRingCacheConfig c = small_config(0, 4, KvCacheMode::sink);
  OwnedKvStorage owned(small_config(4, 4, KvCacheMode::sink));
  CHECK(SinkRingCache::create(c, owned.storage).status().message().find("at least 1 sink") != std::string::npos);
  c = small_config(2, 4, KvCacheMode::window);
  CHECK_FALSE(SinkRingCache::create(c, owned.storage).is_ok());
  c = small_config(65, 4, KvCacheMode::sink);
  CHECK_FALSE(SinkRingCache::create(c, owned.storage).is_ok());
  c = small_config(4, 4, KvCacheMode::sink);
  c.rope.rope_dim = 6;
  c.rope.head_dim = 6;
  CHECK(SinkRingCache::create(c, owned.storage).status().message().find("head_dim") != std::string::npos);
  c = small_config(4, 4, KvCacheMode::sink);
  SinkRingCacheStorage short_ring = owned.storage;
  short_ring.ring.bytes -= 10;
  auto st = SinkRingCache::create(c, short_ring).status();
  CHECK(st.code() == StatusCode::out_of_memory);
  CHECK(st.message().find("kv_ring") != std::string::npos);
  CHECK(st.message().find("missing 10") != std::string::npos);

  auto cache = SinkRingCache::create(c, owned.storage);
  REQUIRE(cache.is_ok());
  std::vector<float> k(16), v(16), q(32);
  CHECK_FALSE(cache->store_layer(0, k.data(), v.data()).is_ok());  // no begin_token yet
  CHECK_FALSE(cache->rotate_query(0, q.data(), 4).is_ok());
  CHECK_FALSE(cache->layer_view(0).is_ok());
  REQUIRE(cache->begin_token(1).is_ok());
  CHECK(cache->store_layer(0, k.data(), v.data()).is_ok());
  CHECK_FALSE(cache->store_layer(0, k.data(), v.data()).is_ok());  // layer 0 already stored token 0
  CHECK_FALSE(cache->store_layer(2, k.data(), v.data()).is_ok());  // no layer 2
  CHECK(parse_kv_cache_mode("recompute").value() == KvCacheMode::recompute);
  CHECK_FALSE(parse_kv_cache_mode("streaming").is_ok());
}

TEST_CASE("kv cache runs on the memory plan's regions carved from an arena") {
  ModelConfig m;
  m.n_vocab = 100;
  m.n_embd = 32;
  m.n_layer = 3;
  m.n_head = 4;
  m.n_head_kv = 2;
  m.head_dim_k = 8;
  m.head_dim_v = 8;
  m.n_ff = 64;
  m.arch = Architecture::llama;
  CHECK(rope_style_for_architecture(Architecture::qwen2) == RopeStyle::neox);
  CHECK(rope_style_for_architecture(Architecture::qwen3) == RopeStyle::neox);
  for (KvType type : {KvType::f16, KvType::f32}) {
    for (uint32_t sinks : {0u, 4u}) {
      PlanInputs in;
      in.sink_slots = sinks;
      in.window = 13;
      in.kv_type = type;
      auto plan = plan_memory(m, in);
      REQUIRE(plan.is_ok());
      std::vector<uint64_t> memory(plan->total_bytes / 8 + 8);
      uint8_t *base = reinterpret_cast<uint8_t *>(memory.data());
      base += (kArenaAlignment - reinterpret_cast<uintptr_t>(base) % kArenaAlignment) % kArenaAlignment;
      Arena arena(base, plan->total_bytes);
      std::vector<ArenaRegion> regions(plan->regions.size());
      REQUIRE(carve_plan(arena, *plan, regions.data(), regions.size()).is_ok());
      auto storage = kv_cache_storage_from_regions(regions.data(), regions.size());
      REQUIRE(storage.is_ok());
      auto config = kv_cache_config_for_model(m, in, sinks == 0 ? KvCacheMode::window : KvCacheMode::sink, nullptr);
      REQUIRE(config.is_ok());
      const SinkRingCacheConfig &c = config.value();
      CHECK(c.rope.style == RopeStyle::norm);
      CHECK(c.rope.rope_dim == 8);
      CHECK_FALSE(kv_cache_config_for_model(m, in, sinks == 0 ? KvCacheMode::sink : KvCacheMode::window, nullptr).is_ok());
      auto need = SinkRingCache::required_bytes(c);
      REQUIRE(need.is_ok());
      CHECK(plan->find("kv_sinks")->bytes >= need->sinks.bytes);
      CHECK(plan->find("kv_rope_state")->bytes >= need->rope_state.bytes);
      auto cache = SinkRingCache::create(c, storage.value());
      REQUIRE_MESSAGE(cache.is_ok(), cache.status().to_string());
      std::mt19937 rng(5);
      CHECK(feed(*cache, rng, 40).is_ok());
      CHECK(cache->cached_tokens() == sinks + 13);
    }
  }
}

// The forward pass's chunk order: a layer stores a whole chunk
// (store_chunk) and only then do its tokens attend, each over layer_view_at.
// Where chunk_keeps_views allows it, that must give every (layer, token) the
// per-token order's bits; where it does not (eviction, a rebase with a
// non-zero delta or moving sinks inside the chunk), store_chunk refuses and
// stores nothing. Uneven chunks, a stream that starts at index 5 (so a
// rebase moves the frame), sink, window and dense modes, f16 and f32.
TEST_CASE("kv cache chunk order (store_chunk, layer_view_at) gives the per-token bits where chunk_keeps_views allows") {
  struct Case {
    SinkRingCacheConfig config;
    uint32_t n_tokens;
  };
  SinkRingCacheConfig sink = small_config(3, 12, KvCacheMode::sink, KvType::f16);
  sink.rebase_interval = 4;
  SinkRingCacheConfig window = small_config(0, 10, KvCacheMode::window);
  SinkRingCacheConfig dense = small_config(2, 14, KvCacheMode::dense);
  for (const Case &cs : {Case{sink, 40}, Case{window, 30}, Case{dense, 16}}) {
    const SinkRingCacheConfig &c = cs.config;
    CAPTURE(kv_cache_mode_name(c.mode));
    const uint32_t n_head = 4, n_tokens = cs.n_tokens;
    const uint32_t chunks[] = {1, 3, 4, 2, 5, 7, 6, 3, 9};
    std::mt19937 rng(9);
    const size_t kc = c.n_head_kv * c.head_dim_k, vc = c.n_head_kv * c.head_dim_v, qc = n_head * c.head_dim_k;
    const size_t oc = n_head * c.head_dim_v;
    std::vector<float> ks(n_tokens * 2 * kc), vs(n_tokens * 2 * vc), qs(n_tokens * 2 * qc);
    fill_normal(rng, ks.data(), ks.size());
    fill_normal(rng, vs.data(), vs.size());
    fill_normal(rng, qs.data(), qs.size());
    AttentionShape shape;
    shape.n_head = n_head;
    shape.n_head_kv = c.n_head_kv;
    shape.head_dim_k = c.head_dim_k;
    shape.head_dim_v = c.head_dim_v;
    shape.scale = attention_default_scale(c.head_dim_k);
    shape.kv_type = c.kv_type == KvType::f16 ? TensorType::f16 : TensorType::f32;
    std::vector<float> scratch(5);

    OwnedKvStorage owned_a(c), owned_b(c);
    auto a = SinkRingCache::create(c, owned_a.storage);
    auto b = SinkRingCache::create(c, owned_b.storage);
    REQUIRE(a.is_ok());
    REQUIRE(b.is_ok());
    a->clear(5);
    b->clear(5);
    // want/got [layer][token][n_head][head_dim_v]
    std::vector<float> want(2 * n_tokens * oc), got(want.size()), qa(qc), qb(n_tokens * qc);
    uint32_t chunk_stores = 0, refused = 0;
    uint32_t begin = 0;
    for (uint32_t ci = 0; begin < n_tokens; ++ci) {
      const uint32_t end = std::min(n_tokens, begin + chunks[ci % 9]);
      const uint32_t n = end - begin;
      for (uint32_t t = begin; t < end; ++t) {
        REQUIRE(a->begin_token(static_cast<int32_t>(t)).is_ok());
        REQUIRE(b->begin_token(static_cast<int32_t>(t)).is_ok());
      }
      for (uint32_t layer = 0; layer < 2; ++layer) {
        // a: per-token order.
        for (uint32_t t = begin; t < end; ++t) {
          const size_t row = size_t{t} * 2 + layer;
          REQUIRE(a->store_layer(layer, ks.data() + row * kc, vs.data() + row * vc).is_ok());
          std::memcpy(qa.data(), qs.data() + row * qc, qc * sizeof(float));
          REQUIRE(a->rotate_query(layer, qa.data(), n_head).is_ok());
          auto view = a->layer_view(layer);
          REQUIRE(view.is_ok());
          REQUIRE(attend_one_query(shape, qa.data(), view->segments, view->n_segments,
                                   want.data() + (size_t{layer} * n_tokens + t) * oc, scratch.data(), scratch.size(),
                                   nullptr)
                      .is_ok());
        }
        // b: chunk order where allowed. k/v/q rows of one layer are 2 rows apart.
        const size_t row0 = size_t{begin} * 2 + layer;
        for (uint32_t i = 0; i < n; ++i) std::memcpy(qb.data() + i * qc, qs.data() + (row0 + 2 * i) * qc, qc * sizeof(float));
        const uint64_t next_before = b->layer_next(layer);
        if (!b->chunk_keeps_views(layer, n)) {
          CHECK(b->store_chunk(layer, n, ks.data() + row0 * kc, 2 * kc, vs.data() + row0 * vc, 2 * vc, qb.data(), qc,
                               n_head)
                    .code() == StatusCode::invalid_argument);
          CHECK(b->layer_next(layer) == next_before);
          ++refused;
          for (uint32_t i = 0; i < n; ++i) {
            REQUIRE(b->store_layer(layer, ks.data() + (row0 + 2 * i) * kc, vs.data() + (row0 + 2 * i) * vc).is_ok());
            REQUIRE(b->rotate_query(layer, qb.data() + i * qc, n_head).is_ok());
            auto view = b->layer_view(layer);
            REQUIRE(view.is_ok());
            REQUIRE(attend_one_query(shape, qb.data() + i * qc, view->segments, view->n_segments,
                                     got.data() + (size_t{layer} * n_tokens + begin + i) * oc, scratch.data(),
                                     scratch.size(), nullptr)
                        .is_ok());
          }
          continue;
        }
        REQUIRE(b->store_chunk(layer, n, ks.data() + row0 * kc, 2 * kc, vs.data() + row0 * vc, 2 * vc, qb.data(), qc,
                               n_head)
                    .is_ok());
        ++chunk_stores;
        for (uint32_t i = 0; i < n; ++i) {
          auto view = b->layer_view_at(layer, next_before + i);
          REQUIRE(view.is_ok());
          REQUIRE(attend_one_query(shape, qb.data() + i * qc, view->segments, view->n_segments,
                                   got.data() + (size_t{layer} * n_tokens + begin + i) * oc, scratch.data(),
                                   scratch.size(), nullptr)
                      .is_ok());
        }
      }
      begin = end;
    }
    CHECK(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0);
    CHECK(chunk_stores > 0);
    if (c.mode != KvCacheMode::dense) CHECK(refused > 0);
    // Same cache state afterwards: every region byte for byte except the
    // scratch table store_chunk reuses (rebase delta), the tables in general
    // being recomputed on demand.
    CHECK(std::memcmp(owned_a.storage.ring.data, owned_b.storage.ring.data, owned_a.storage.ring.bytes) == 0);
    CHECK(std::memcmp(owned_a.storage.sinks.data, owned_b.storage.sinks.data, owned_a.storage.sinks.bytes) == 0);
    CHECK(std::memcmp(owned_a.storage.sink_keys_rotated.data, owned_b.storage.sink_keys_rotated.data,
                      owned_a.storage.sink_keys_rotated.bytes) == 0);
  }
}
