#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

#include "tests/engine/engine_test_support.h"

using namespace ballast;
using namespace ballast::test;

namespace {

mkmodel::ModelSpec spec_for(mkmodel::ModelArch arch, TensorType type) {
  mkmodel::ModelSpec spec;
  spec.arch = arch;
  spec.type = type;
  spec.dim = 64;
  spec.layers = 2;
  spec.heads = 4;
  spec.kv_heads = 2;
  spec.ffn = 128;
  spec.vocab = 320;
  spec.seed = 11;
  return spec;
}

// Logits after each token, feeding one token at a time.
std::vector<float> logits_token_by_token(Session &s, const std::vector<int32_t> &ids) {
  const uint32_t n_vocab = s.model().config.n_vocab;
  std::vector<float> all;
  for (int32_t id : ids) {
    REQUIRE(s.feed(&id, 1).is_ok());
    all.insert(all.end(), s.logits(), s.logits() + n_vocab);
  }
  return all;
}

}  // namespace

TEST_CASE("batched prefill equals token-by-token decode, also when a chunk streams through eviction") {
  for (auto arch : {mkmodel::ModelArch::llama, mkmodel::ModelArch::qwen2, mkmodel::ModelArch::qwen3}) {
    CAPTURE(mkmodel::arch_name(arch));
    auto model = make_test_model(spec_for(arch, TensorType::q8_0), "prefill");
    const uint32_t n_vocab = model->config.n_vocab;
    const auto ids = test_tokens(100, n_vocab);
    SessionParams params;
    params.sinks = 4;
    params.window = 12;  // 100 tokens: the 64-token chunk evicts within itself
    params.kv_type = KvType::f32;
    params.all_logits = true;
    auto decoded = make_session(*model, params);
    const std::vector<float> reference = logits_token_by_token(*decoded, ids);

    auto batched = make_session(*model, params);
    size_t done = 0;
    for (uint32_t chunk : {64u, 36u}) {
      REQUIRE(batched->feed(ids.data() + done, chunk).is_ok());
      REQUIRE(batched->logits_row_count() == chunk);
      const double diff =
          max_relative_difference(batched->logits_rows(), reference.data() + done * n_vocab, size_t{chunk} * n_vocab);
      CHECK(diff <= 1e-5);
      done += chunk;
    }
    CHECK(batched->stats().evictions == 100 - 16);
    CHECK(batched->stats().cached_tokens == 16);
  }
}

TEST_CASE("before any eviction, sink, window, dense and recompute modes agree exactly") {
  auto model = make_test_model(spec_for(mkmodel::ModelArch::llama, TensorType::f32), "modes");
  const auto ids = test_tokens(20, model->config.n_vocab, 3);
  std::vector<std::vector<float>> results;
  struct ModeCase {
    KvCacheMode mode;
    int32_t sinks;
    uint32_t window;
  };
  for (ModeCase c : {ModeCase{KvCacheMode::sink, 4, 28}, ModeCase{KvCacheMode::window, 0, 32},
                     ModeCase{KvCacheMode::dense, 4, 28}, ModeCase{KvCacheMode::recompute, 4, 28}}) {
    SessionParams params;
    params.mode = c.mode;
    params.sinks = c.sinks;
    params.window = c.window;
    params.kv_type = KvType::f32;
    auto s = make_session(*model, params);
    results.push_back(logits_token_by_token(*s, ids));
  }
  for (size_t m = 1; m < results.size(); ++m) {
    CAPTURE(m);
    CHECK(max_relative_difference(results[m].data(), results[0].data(), results[0].size()) <= 1e-5);
  }
}

TEST_CASE("after eviction, sinks change the result and window-only differs from sink+window") {
  auto model = make_test_model(spec_for(mkmodel::ModelArch::llama, TensorType::f32), "evict");
  const uint32_t n_vocab = model->config.n_vocab;
  const auto ids = test_tokens(60, n_vocab, 5);
  auto run = [&](KvCacheMode mode, int32_t sinks, uint32_t window) {
    SessionParams params;
    params.mode = mode;
    params.sinks = sinks;
    params.window = window;
    params.kv_type = KvType::f32;
    auto s = make_session(*model, params);
    return logits_token_by_token(*s, ids);
  };
  const auto sink = run(KvCacheMode::sink, 4, 12);
  const auto window = run(KvCacheMode::window, 0, 16);
  const auto recompute = run(KvCacheMode::recompute, 4, 12);
  const size_t last = size_t{59} * n_vocab;
  // Identical while the cache (16 slots) is not full ...
  CHECK(max_relative_difference(window.data(), sink.data(), size_t{16} * n_vocab) <= 1e-5);
  // ... different once the first tokens were evicted (window) or kept (sink).
  CHECK(max_relative_difference(window.data() + last, sink.data() + last, n_vocab) > 1e-3);
  // Recompute rebuilds the window from its tokens: its KV never saw evicted
  // tokens through earlier layers, so it differs from the streaming cache.
  CHECK(max_relative_difference(recompute.data() + last, sink.data() + last, n_vocab) > 1e-4);
}

TEST_CASE("dense mode refuses tokens past its capacity and keeps its state") {
  auto model = make_test_model(spec_for(mkmodel::ModelArch::llama, TensorType::q8_0), "dense");
  SessionParams params;
  params.mode = KvCacheMode::dense;
  params.sinks = 2;
  params.window = 6;
  auto s = make_session(*model, params);
  const auto ids = test_tokens(10, model->config.n_vocab);
  REQUIRE(s->feed(ids.data(), 8).is_ok());
  Status refused = s->feed(ids.data() + 8, 1);
  CHECK(refused.code() == StatusCode::out_of_range);
  CHECK(refused.message().find("capacity of 8") != std::string::npos);
  CHECK(s->stats().tokens_seen == 8);
  CHECK(s->stats().cached_tokens == 8);
}

TEST_CASE("session validates tokens and parameters with clear errors") {
  auto model = make_test_model(spec_for(mkmodel::ModelArch::llama, TensorType::q8_0), "errors");
  SessionParams params;
  auto s = make_session(*model, params);
  const int32_t bad = 100000;
  Status refused = s->feed(&bad, 1);
  CHECK(refused.code() == StatusCode::invalid_argument);
  CHECK(refused.message().find("100000") != std::string::npos);

  SessionParams window_with_sinks;
  window_with_sinks.mode = KvCacheMode::window;
  window_with_sinks.sinks = 4;
  CHECK_FALSE(Session::create(*model, window_with_sinks).is_ok());
  SessionParams too_many;
  too_many.sinks = 65;
  CHECK_FALSE(Session::create(*model, too_many).is_ok());
}

TEST_CASE("sinks default to the model's declared sink slots and the sink token starts the stream") {
  auto spec = spec_for(mkmodel::ModelArch::llama, TensorType::q8_0);
  auto model = make_test_model(spec, "declared", [](GgufWriter &w) {
    w.set_u32("ballast.sink_token_id", 5);
    w.set_u32("ballast.sink_slots", 1);
  });
  SessionParams params;  // sinks = -1: model default
  params.window = 8;
  auto s = make_session(*model, params);
  CHECK(s->sink_slots() == 1);
  const auto ids = test_tokens(3, model->config.n_vocab, 9);
  REQUIRE(s->feed(ids.data(), ids.size()).is_ok());
  CHECK(s->stats().tokens_seen == 4);
  CHECK(s->cache().slot_entry(0).token_id == 5);

  SessionParams explicit_sinks;
  explicit_sinks.sinks = 4;
  CHECK(make_session(*model, explicit_sinks)->sink_slots() == 4);
}

TEST_CASE("the session's arena is exactly the plan and greedy sampling is deterministic") {
  auto model = make_test_model(spec_for(mkmodel::ModelArch::qwen3, TensorType::q4_0), "arena");
  SessionParams params;
  params.window = 32;
  params.sampling.temperature = 0;
  auto a = make_session(*model, params);
  auto b = make_session(*model, params);
  CHECK(a->stats().arena_bytes == a->plan().total_bytes);
  const auto prompt = test_tokens(5, model->config.n_vocab, 2);
  REQUIRE(a->feed(prompt.data(), prompt.size()).is_ok());
  REQUIRE(b->feed(prompt.data(), prompt.size()).is_ok());
  for (int i = 0; i < 50; ++i) {
    const int32_t ta = a->sample();
    const int32_t tb = b->sample();
    REQUIRE(ta == tb);
    REQUIRE(a->feed(&ta, 1).is_ok());
    REQUIRE(b->feed(&tb, 1).is_ok());
  }
  CHECK(a->stats().evictions == 55 - 36);
}

TEST_CASE("repacked Q8_0 / Q5_0 weights of a tied model give the file layout's logits (embedding rows read from the copy)") {
  for (TensorType type : {TensorType::q8_0, TensorType::q5_0}) {
  CAPTURE(tensor_type_info(type)->name);
  mkmodel::ModelSpec spec = spec_for(mkmodel::ModelArch::llama, type);
  spec.tied = true;
  auto model = make_test_model(spec, type == TensorType::q8_0 ? "repack-tied-q8" : "repack-tied-q5");
  const Result<uint64_t> expected = ForwardPass::repacked_weight_bytes(*model);
  REQUIRE(expected.is_ok());
  if (expected.value() == 0) MESSAGE("no repacked kernel for this type in this dispatch table: the comparison is trivial");
  REQUIRE(model->weights.output.data == model->weights.token_embd.data);
  const auto ids = test_tokens(40, model->config.n_vocab, 5);
  SessionParams params;
  params.all_logits = true;
  params.prefill_backend = PrefillBackendChoice::native;
  SessionParams in_place = params;
  in_place.repack_weights = false;
  auto repacked = make_session(*model, params);
  auto plain = make_session(*model, in_place);
  for (uint32_t chunk : {30u, 1u, 9u}) {
    const size_t done = chunk == 30u ? 0 : chunk == 1u ? 30 : 31;
    REQUIRE(repacked->feed(ids.data() + done, chunk).is_ok());
    REQUIRE(plain->feed(ids.data() + done, chunk).is_ok());
    CHECK(max_relative_difference(repacked->logits_rows(), plain->logits_rows(),
                                  size_t{chunk} * model->config.n_vocab) <= 1e-4);
  }
  const int32_t outside = static_cast<int32_t>(model->config.n_vocab);
  CHECK(repacked->feed(&outside, 1).code() == StatusCode::invalid_argument);
  }
}

TEST_CASE("repacked Q4_0 weights give the file layout's logits, and the plan and BALLAST_REPACK account for them") {
  auto model = make_test_model(spec_for(mkmodel::ModelArch::llama, TensorType::q4_0), "repack");
  const uint32_t n_vocab = model->config.n_vocab;
  const auto ids = test_tokens(60, n_vocab, 3);
  SessionParams params;
  params.sinks = 4;
  params.window = 20;  // the 48-token chunk evicts within itself
  params.all_logits = true;
  params.prefill_backend = PrefillBackendChoice::native;
  SessionParams in_place = params;
  in_place.repack_weights = false;

  const Result<uint64_t> expected = ForwardPass::repacked_weight_bytes(*model);
  REQUIRE(expected.is_ok());
  auto repacked = make_session(*model, params);
  auto plain = make_session(*model, in_place);
  CHECK(repacked->plan().find("repacked_weights")->bytes == (expected.value() + 63) / 64 * 64);
  CHECK(plain->plan().find("repacked_weights")->bytes == 0);
  CHECK(repacked->stats().arena_bytes == Session::plan(*model, params).value().total_bytes);
  if (expected.value() == 0) {
    MESSAGE("this dispatch table has no repacked Q4_0 kernel (e.g. BALLAST_ISA=scalar): the comparison below is trivial");
  } else {
    // Every projection of this model is Q4_0 (the output too).
    CHECK(expected.value() >= model->weights.layers.size() * 7 * 64);
  }

  // Prefill in chunks through eviction, then decode: repacked vs in place
  // differ only in the f32 accumulation order of each row.
  size_t done = 0;
  for (uint32_t chunk : {48u, 1u, 1u, 10u}) {
    REQUIRE(repacked->feed(ids.data() + done, chunk).is_ok());
    REQUIRE(plain->feed(ids.data() + done, chunk).is_ok());
    CAPTURE(done);
    CHECK(max_relative_difference(repacked->logits_rows(), plain->logits_rows(), size_t{chunk} * n_vocab) <= 1e-4);
    done += chunk;
  }

  // Repacked prefill equals repacked token-by-token decode.
  auto decoded = make_session(*model, params);
  const std::vector<float> reference = logits_token_by_token(*decoded, std::vector<int32_t>(ids.begin(), ids.begin() + 48));
  auto batched = make_session(*model, params);
  REQUIRE(batched->feed(ids.data(), 48).is_ok());
  CHECK(max_relative_difference(batched->logits_rows(), reference.data(), size_t{48} * n_vocab) <= 1e-5);

  // BALLAST_REPACK overrides the parameter; anything but 0 or 1 is refused.
  const char *saved = std::getenv("BALLAST_REPACK");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::setenv("BALLAST_REPACK", "0", 1);
  CHECK(Session::plan(*model, params).value().find("repacked_weights")->bytes == 0);
  ::setenv("BALLAST_REPACK", "yes", 1);
  const Result<MemoryPlan> refused = Session::plan(*model, params);
  CHECK(refused.status().code() == StatusCode::invalid_argument);
  CHECK(std::strstr(refused.status().message().c_str(), "BALLAST_REPACK") != nullptr);
  CHECK(!Session::create(*model, params).is_ok());
  if (saved != nullptr) {
    ::setenv("BALLAST_REPACK", saved_value.c_str(), 1);
  } else {
    ::unsetenv("BALLAST_REPACK");
  }
}
