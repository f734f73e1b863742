// Threads change nothing but speed: a session with 2 or 3 threads gives
// exactly the logits of a one-thread session (rows and heads are split, each
// computed by the same kernel), through prefill and decode past eviction.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "tests/engine/engine_test_support.h"

using namespace ballast;
using namespace ballast::test;

namespace {

// Logits after feeding `prompt` as one chunk, then after each token of
// `more` fed one at a time, back to back: [(1 + more.size()) * n_vocab].
std::vector<float> logits_through(Session &s, const std::vector<int32_t> &prompt, const std::vector<int32_t> &more) {
  const uint32_t n_vocab = s.model().config.n_vocab;
  std::vector<float> all;
  REQUIRE(s.feed(prompt.data(), prompt.size()).is_ok());
  all.insert(all.end(), s.logits(), s.logits() + n_vocab);
  for (int32_t token : more) {
    REQUIRE(s.feed(&token, 1).is_ok());
    all.insert(all.end(), s.logits(), s.logits() + n_vocab);
  }
  return all;
}

// Sessions with 2 and 3 threads give `one`'s logits bit for bit, past eviction.
void check_threads_match_one(const Model &model, const SessionParams &one, const std::vector<int32_t> &prompt,
                             const std::vector<int32_t> &more) {
  auto reference = make_session(model, one);
  const std::vector<float> want = logits_through(*reference, prompt, more);
  for (uint32_t threads : {2u, 3u}) {
    CAPTURE(threads);
    SessionParams params = one;
    params.threads = threads;
    auto session = make_session(model, params);
    const std::vector<float> got = logits_through(*session, prompt, more);
    REQUIRE(got.size() == want.size());
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
    CHECK(session->stats().evictions > 0);
  }
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
  spec.dim = 576;
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
