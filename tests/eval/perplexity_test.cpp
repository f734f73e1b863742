// Streaming perplexity (runtime/eval/streaming_perplexity.h) against an
// independent computation: tokens fed one by one through a Session and the
// NLL taken by hand (long double log-sum-exp written here, not the library's).
#include <cmath>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/eval/streaming_perplexity.h"
#include "tests/engine/engine_test_support.h"

using namespace ballast;
using namespace ballast::test;

namespace {

mkmodel::ModelSpec tiny_spec() {
  mkmodel::ModelSpec spec;
  spec.dim = 64;
  spec.layers = 2;
  spec.heads = 4;
  spec.kv_heads = 2;
  spec.ffn = 128;
  spec.vocab = 320;
  spec.seed = 23;
  return spec;
}

// The paper's loop written out by hand: feed t, read logits, NLL of t+1.
double hand_perplexity(Session &s, const std::vector<int32_t> &ids) {
  const uint32_t n_vocab = s.model().config.n_vocab;
  long double total = 0;
  for (size_t t = 0; t + 1 < ids.size(); ++t) {
    REQUIRE(s.feed(&ids[t], 1).is_ok());
    const float *logits = s.logits();
    long double max_logit = logits[0];
    for (uint32_t i = 1; i < n_vocab; ++i) max_logit = std::max<long double>(max_logit, logits[i]);
    long double sum = 0;
    for (uint32_t i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<long double>(logits[i]) - max_logit);
    total += -(static_cast<long double>(logits[ids[t + 1]]) - max_logit - std::log(sum));
  }
  return static_cast<double>(std::exp(total / static_cast<long double>(ids.size() - 1)));
}

SessionParams params_for(KvCacheMode mode, int32_t sinks, uint32_t window) {
  SessionParams p;
  p.mode = mode;
  p.sinks = sinks;
  p.window = window;
  p.batch = 16;
  return p;
}

}  // namespace

TEST_CASE("token_nll is minus the log-softmax of the target also for huge logits") {
  const float logits[3] = {0.0f, std::log(2.0f), std::log(3.0f)};  // softmax = 1/6, 2/6, 3/6
  CHECK(token_nll(logits, 3, 2) == doctest::Approx(std::log(2.0)).epsilon(1e-7));
  CHECK(token_nll(logits, 3, 0) == doctest::Approx(std::log(6.0)).epsilon(1e-7));
  const float big[2] = {1000.0f, 1000.0f};  // exp() would overflow without the max subtraction
  CHECK(token_nll(big, 2, 1) == doctest::Approx(std::log(2.0)).epsilon(1e-12));
}

TEST_CASE("streaming perplexity equals the hand computation in every cache mode") {
  auto model = make_test_model(tiny_spec(), "eval-ppl");
  const std::vector<int32_t> ids = test_tokens(90, model->config.n_vocab, 5);
  struct Case {
    KvCacheMode mode;
    int32_t sinks;
    uint32_t window;
  };
  const Case cases[] = {{KvCacheMode::sink, 4, 20}, {KvCacheMode::window, 0, 24}, {KvCacheMode::dense, 0, 96},
                        {KvCacheMode::recompute, 4, 20}};
  std::vector<double> results;
  for (const Case &c : cases) {
    CAPTURE(static_cast<int>(c.mode));
    auto reference = make_session(*model, params_for(c.mode, c.sinks, c.window));
    const double expected = hand_perplexity(*reference, ids);
    auto session = make_session(*model, params_for(c.mode, c.sinks, c.window));
    auto result = streaming_perplexity(*session, {}, ids.data(), ids.size(), PerplexityOptions{});
    REQUIRE_MESSAGE(result.is_ok(), result.status().to_string());
    CHECK(result.value().tokens_scored == ids.size() - 1);
    CHECK(result.value().tokens_fed == ids.size() - 1);  // the last token's logits are never needed
    CHECK(result.value().perplexity() == doctest::Approx(expected).epsilon(1e-9));
    CHECK(result.value().perplexity() > 1.0);
    results.push_back(result.value().perplexity());
  }
  // 90 tokens overflow the 24-slot caches: sink and window keep different
  // tokens, so the modes are really selected (dense keeps everything).
  CHECK(results[0] != results[1]);
  CHECK(results[1] != results[2]);
}

TEST_CASE("segments partition the stream and sum to the totals") {
  auto model = make_test_model(tiny_spec(), "eval-seg");
  const std::vector<int32_t> ids = test_tokens(51, model->config.n_vocab, 9);
  auto session = make_session(*model, params_for(KvCacheMode::sink, 2, 16));
  PerplexityOptions options;
  options.segment_tokens = 7;
  uint64_t progress_calls = 0, last_done = 0;
  options.progress_every = 10;
  options.progress = [&](uint64_t done, uint64_t total, double) {
    ++progress_calls;
    CHECK(total == 50);
    CHECK(done > last_done);
    last_done = done;
  };
  std::vector<std::pair<size_t, PerplexitySegment>> reported;  // on_segment calls, in order
  options.on_segment = [&](size_t index, const PerplexitySegment &segment) { reported.emplace_back(index, segment); };
  auto result = streaming_perplexity(*session, {}, ids.data(), ids.size(), options);
  REQUIRE(result.is_ok());
  const PerplexityResult &r = result.value();
  REQUIRE(r.segments.size() == 8);  // 50 scored tokens = 7 x 7 + 1
  REQUIRE(reported.size() == r.segments.size());
  for (size_t i = 0; i < reported.size(); ++i) {
    CHECK(reported[i].first == i);
    CHECK(reported[i].second.first_scored == r.segments[i].first_scored);
    CHECK(reported[i].second.tokens == r.segments[i].tokens);
    CHECK(reported[i].second.nll_sum == r.segments[i].nll_sum);
  }
  uint64_t tokens = 0;
  double nll = 0;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    CHECK(r.segments[i].first_scored == tokens);
    CHECK(r.segments[i].tokens == (i + 1 < r.segments.size() ? 7u : 1u));
    tokens += r.segments[i].tokens;
    nll += r.segments[i].nll_sum;
  }
  CHECK(tokens == r.tokens_scored);
  CHECK(nll == doctest::Approx(r.nll_sum).epsilon(1e-12));
  CHECK(progress_calls == 5);  // at 10, 20, 30, 40 and 50 (the end)
  CHECK(last_done == 50);
}

TEST_CASE("an unscored prefix is fed first and changes the result like feeding it by hand") {
  auto model = make_test_model(tiny_spec(), "eval-prefix");
  const std::vector<int32_t> ids = test_tokens(40, model->config.n_vocab, 3);
  const std::vector<int32_t> prefix = {13, 13, 13, 13};
  auto reference = make_session(*model, params_for(KvCacheMode::sink, 4, 12));
  for (int32_t id : prefix) REQUIRE(reference->feed(&id, 1).is_ok());
  const double expected = hand_perplexity(*reference, ids);
  auto session = make_session(*model, params_for(KvCacheMode::sink, 4, 12));
  auto result = streaming_perplexity(*session, prefix, ids.data(), ids.size(), PerplexityOptions{});
  REQUIRE(result.is_ok());
  CHECK(result.value().tokens_fed == prefix.size() + ids.size() - 1);
  CHECK(result.value().perplexity() == doctest::Approx(expected).epsilon(1e-9));
}

TEST_CASE("streaming perplexity rejects streams too short and ids outside the vocabulary") {
  auto model = make_test_model(tiny_spec(), "eval-errors");
  auto session = make_session(*model, params_for(KvCacheMode::sink, 4, 12));
  const int32_t one = 5;
  auto short_stream = streaming_perplexity(*session, {}, &one, 1, PerplexityOptions{});
  CHECK(short_stream.status().code() == StatusCode::invalid_argument);
  const int32_t bad[3] = {5, 6, 100000};
  auto out_of_vocab = streaming_perplexity(*session, {}, bad, 3, PerplexityOptions{});
  CHECK(out_of_vocab.status().code() == StatusCode::invalid_argument);
  SessionParams zero_window = params_for(KvCacheMode::sink, 4, 0);
  CHECK_FALSE(Session::create(*model, zero_window).is_ok());
}

TEST_CASE("loop_tokens repeats the text without its BOS") {
  const std::vector<int32_t> ids = {1, 10, 11, 12};
  const std::vector<int32_t> looped = loop_tokens(ids, 10, 1);
  const std::vector<int32_t> expected = {1, 10, 11, 12, 10, 11, 12, 10, 11, 12};
  CHECK(looped == expected);
  CHECK(loop_tokens({7, 8}, 5, 1) == std::vector<int32_t>{7, 8, 7, 8, 7});
  CHECK(loop_tokens(ids, 3, 1) == std::vector<int32_t>{1, 10, 11});
  CHECK(loop_tokens({}, 5, 1).empty());
}
