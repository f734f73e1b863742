// The hot path never allocates: thousands of decode steps past the eviction
// point, with sampling, in every cache mode that streams.
#include <doctest/doctest.h>

#include "tests/engine/engine_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;
using namespace ballast::test;
using ballast::testing::AllocationCountScope;

TEST_CASE("decode, eviction, prefill and sampling perform zero heap allocations after init") {
  struct Case {
    mkmodel::ModelArch arch;
    KvCacheMode mode;
    int steps;
  };
  for (Case c : {Case{mkmodel::ModelArch::llama, KvCacheMode::sink, 1000}, Case{mkmodel::ModelArch::qwen2, KvCacheMode::sink, 1000},
                 Case{mkmodel::ModelArch::qwen3, KvCacheMode::sink, 1000}, Case{mkmodel::ModelArch::llama, KvCacheMode::window, 1000},
                 Case{mkmodel::ModelArch::llama, KvCacheMode::recompute, 100}}) {
    {
      const auto arch = c.arch;
      const auto mode = c.mode;
      const int steps = c.steps;
      const std::string arch_name = mkmodel::arch_name(arch), mode_name = kv_cache_mode_name(mode);
      CAPTURE(arch_name);
      CAPTURE(mode_name);
      mkmodel::ModelSpec spec;
      spec.arch = arch;
      spec.type = TensorType::q4_k;
      spec.dim = 256;
      spec.ffn = 256;
      spec.seed = 3;
      auto model = make_test_model(spec, "alloc");
      SessionParams params;
      params.mode = mode;
      params.sinks = mode == KvCacheMode::window ? 0 : 4;
      params.window = 28;
      auto session = make_session(*model, params);
      const auto prompt = test_tokens(40, model->config.n_vocab);

      AllocationCountScope scope;
      REQUIRE(session->feed(prompt.data(), prompt.size()).is_ok());  // prefill already past eviction
      for (int i = 0; i < steps; ++i) {
        const int32_t token = session->sample();
        REQUIRE(session->feed(&token, 1).is_ok());
      }
      CHECK(scope.count() == 0);
      CHECK(session->stats().evictions >= static_cast<uint64_t>(steps));
    }
  }
}

// The chunk order of prefill attention (store_chunk, attend_chunk over the
// pool) runs only on chunks that fit the cache; the case above prefills past
// eviction on one thread. Here 2 threads prefill 150 tokens into a 4 + 200
// cache (chunks of 64, 64, 22), then decode past eviction.
TEST_CASE("prefill chunks attended over the pool perform zero heap allocations") {
  mkmodel::ModelSpec spec;
  spec.arch = mkmodel::ModelArch::llama;
  spec.type = TensorType::q8_0;
  spec.dim = 256;
  spec.ffn = 256;
  spec.seed = 5;
  auto model = make_test_model(spec, "alloc-chunk");
  SessionParams params;
  params.sinks = 4;
  params.window = 200;
  params.threads = 2;
  auto session = make_session(*model, params);
  const auto prompt = test_tokens(150, model->config.n_vocab);

  AllocationCountScope scope;
  REQUIRE(session->feed(prompt.data(), prompt.size()).is_ok());
  for (int i = 0; i < 100; ++i) {
    const int32_t token = session->sample();
    REQUIRE(session->feed(&token, 1).is_ok());
  }
  CHECK(scope.count() == 0);
  CHECK(session->chunk_attention_runs() == uint64_t{3} * model->config.n_layer);
  CHECK(session->stats().evictions > 0);
}
