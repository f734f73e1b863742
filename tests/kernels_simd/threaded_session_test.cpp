// Threads change nothing but speed: a session with 2 or 3 threads gives
// exactly the logits of a one-thread session (rows and heads are split, each
// computed by the same kernel), through prefill and decode past eviction.
// And the chunk order of prefill attention (all of a chunk's tokens stored,
// then attended over the pool) gives the per-token order's bits.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "tests/engine/engine_test_support.h"

using namespace ballast;
using namespace ballast::test;

namespace {

// Logits after feeding `prompt` as one feed, then `more` in feeds of
// `more_chunk` tokens, back to back: every row when the session keeps all
// logits, else the last row of each feed.
std::vector<float> logits_through(Session &s, const std::vector<int32_t> &prompt, const std::vector<int32_t> &more,
                                  uint32_t more_chunk = 1) {
  const uint32_t n_vocab = s.model().config.n_vocab;
  std::vector<float> all;
  auto feed = [&](const int32_t *tokens, size_t n) {
    REQUIRE(s.feed(tokens, n).is_ok());
    if (s.params().all_logits) {
      all.insert(all.end(), s.logits_rows(), s.logits_rows() + size_t{s.logits_row_count()} * n_vocab);
    } else {
      all.insert(all.end(), s.logits(), s.logits() + n_vocab);
    }
  };
  feed(prompt.data(), prompt.size());
  for (size_t done = 0; done < more.size(); done += more_chunk) {
    feed(more.data() + done, std::min<size_t>(more_chunk, more.size() - done));
  }
  return all;
}

// Sessions with 1, 2 and 3 threads attending prefill chunks over the pool
// (the chunk order, ForwardPass::attend_chunk) give bit for bit the logits
// of a one-thread session that attends token by token (the order before the
// chunk order existed), past eviction. The prompt must fit the cache, so the
// chunk order really runs; returns the 1-thread session's chunk-order runs.
uint64_t check_threads_match_one(const Model &model, const SessionParams &one, const std::vector<int32_t> &prompt,
                                 const std::vector<int32_t> &more, uint32_t more_chunk = 1) {
  auto reference = make_session(model, one);
  reference->set_chunk_attention(false);
  const std::vector<float> want = logits_through(*reference, prompt, more, more_chunk);
  CHECK(reference->chunk_attention_runs() == 0);
  uint64_t runs = 0;
  for (uint32_t threads : {1u, 2u, 3u}) {
    CAPTURE(threads);
    SessionParams params = one;
    params.threads = threads;
    auto session = make_session(model, params);
    const std::vector<float> got = logits_through(*session, prompt, more, more_chunk);
    REQUIRE(got.size() == want.size());
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
    CHECK(session->stats().evictions > 0);
    CHECK(session->chunk_attention_runs() > 0);
    if (threads == 1) runs = session->chunk_attention_runs();
    CHECK(session->chunk_attention_runs() == runs);
  }
  return runs;
}

}  // namespace

TEST_CASE("sessions with 2 and 3 threads give the one-thread logits exactly") {
  struct Case {
    mkmodel::ModelArch arch;
    TensorType type;
  };
  for (Case c : {Case{mkmodel::ModelArch::llama, TensorType::q4_0}, Case{mkmodel::ModelArch::llama, TensorType::q8_0},
                 Case{mkmodel::ModelArch::qwen3, TensorType::q4_k}, Case{mkmodel::ModelArch::qwen2, TensorType::f16}}) {
    const std::string arch_name = mkmodel::arch_name(c.arch), type_name = tensor_type_info(c.type)->name;
    CAPTURE(arch_name);
    CAPTURE(type_name);
    mkmodel::ModelSpec spec;
    spec.arch = c.arch;
    spec.type = c.type;
    spec.dim = 256;
    spec.ffn = 512;
    spec.seed = 11;
    auto model = make_test_model(spec, "threads");
    SessionParams one;
    one.sinks = 4;
    one.window = 24;
    check_threads_match_one(*model, one, test_tokens(20, model->config.n_vocab), test_tokens(30, model->config.n_vocab, 2));
  }
}

// ForwardPass::attend keeps a query over few slots on one thread (fewer than
// 4096 head x slot pairs); the case above never gets past that. Here 9 query
// heads over 3 KV heads (SmolLM2's grouping: 2 threads split the heads 5:4,
// in the middle of a group) attend over up to 484 slots, so the split runs
// in prefill and decode, across eviction.
TEST_CASE("attention split over threads past the one-thread threshold gives the one-thread logits") {
  mkmodel::ModelSpec spec;
  spec.arch = mkmodel::ModelArch::llama;
  spec.type = TensorType::q8_0;
  spec.dim = 144;  // head dim 16: the split logic, not the kernels, is under test (cheap under qemu)
  spec.heads = 9;
  spec.kv_heads = 3;
  spec.ffn = 256;
  spec.seed = 12;
  auto model = make_test_model(spec, "threads-attention");
  SessionParams one;
  one.sinks = 4;
  one.window = 480;
  check_threads_match_one(*model, one, test_tokens(470, model->config.n_vocab), test_tokens(24, model->config.n_vocab, 3));
}

// The chunk order runs only where storing a chunk's later tokens leaves the
// earlier ones' views alone. Here prefill chunks of 64 (the session's batch)
// fill a 4 + 480 cache: the first ones fit (chunk order, over the pool: 9
// heads x up to 400 slots), the chunk that crosses token 484 evicts inside
// itself and the ones after it evict throughout (per-token order). Every
// logits row is compared, 1 vs 2 vs 3 threads vs the per-token reference.
TEST_CASE("chunk attention over the pool: fitting chunks and chunks that evict inside give the per-token logits") {
  mkmodel::ModelSpec spec;
  spec.arch = mkmodel::ModelArch::llama;
  spec.type = TensorType::q8_0;
  spec.dim = 144;  // head dim 16: the split logic, not the kernels, is under test (cheap under qemu)
  spec.heads = 9;
  spec.kv_heads = 3;
  spec.ffn = 256;
  spec.layers = 2;
  spec.seed = 13;
  auto model = make_test_model(spec, "threads-chunk-attention");
  SessionParams one;
  one.sinks = 4;
  one.window = 480;
  one.all_logits = true;
  // 300 prompt tokens: 5 chunks (64 x 4 + 44), all fitting. Then 250 more
  // in feeds of 64: tokens 300..363 and 364..427 fit, 428..491 evicts from
  // token 484 on, 492..549 evicts throughout.
  const uint64_t runs = check_threads_match_one(*model, one, test_tokens(300, model->config.n_vocab),
                                                test_tokens(250, model->config.n_vocab, 5), 64);
  CHECK(runs == uint64_t{7} * model->config.n_layer);
  // Chunks of 5 near the end of the window (fewer than 4 tokens per thread:
  // each token's 9 heads are split between the threads too). Prompt 440 =
  // 6 x 64 + 56 (7 chunks); 440..444 .. 475..479 fit (8 chunks), 480..484
  // evicts at 484.
  const uint64_t small_runs = check_threads_match_one(*model, one, test_tokens(440, model->config.n_vocab),
                                                      test_tokens(60, model->config.n_vocab, 7), 5);
  CHECK(small_runs == uint64_t{15} * model->config.n_layer);
}

// A qwen2 model (q/k/v bias), f32 KV, and a window of 6 that the second feed of
// 5 tokens overflows inside itself.
TEST_CASE("chunk attention with q/k/v bias, f32 KV and a small window gives the per-token logits") {
  mkmodel::ModelSpec spec;
  spec.arch = mkmodel::ModelArch::qwen2;
  spec.type = TensorType::q8_0;
  spec.dim = 256;
  spec.heads = 8;
  spec.kv_heads = 2;
  spec.ffn = 256;
  spec.seed = 14;
  auto model = make_test_model(spec, "threads-chunk-small");
  SessionParams one;
  one.sinks = 2;
  one.window = 6;
  one.kv_type = KvType::f32;
  one.all_logits = true;
  // Prompt 3 fits (chunk order); then feeds of 5: 3..7 fits, 8..12 evicts
  // from token 8 on, later ones evict throughout.
  const uint64_t runs = check_threads_match_one(*model, one, test_tokens(3, model->config.n_vocab),
                                                test_tokens(17, model->config.n_vocab, 6), 5);
  CHECK(runs == uint64_t{2} * model->config.n_layer);
}
