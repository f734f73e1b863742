// Sampler semantics: greedy, top-k, top-p, min-p, temperature, repetition
// penalty, seeding. Statistical checks use fixed seeds and wide bounds.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/sampler/sampler.h"

namespace ballast {
namespace {

// A sampler with its own workspace (tests only; the engine uses the arena).
struct TestSampler {
  std::vector<uint64_t> workspace;  // 8-byte units: n_vocab * 8 bytes
  Sampler sampler;
  TestSampler(const SamplerParams &params, int64_t n_vocab)
      : workspace(static_cast<size_t>(n_vocab)), sampler(make(params, n_vocab, workspace.data())) {}
  static Sampler make(const SamplerParams &params, int64_t n_vocab, uint64_t *memory) {
    Result<Sampler> created = Sampler::create(params, n_vocab, memory, static_cast<uint64_t>(n_vocab) * 8);
    REQUIRE(created.is_ok());
    return std::move(created).value();
  }
  int32_t sample(const std::vector<float> &logits, const std::vector<int32_t> &history = {}) {
    return sampler.sample(logits.data(), history.data(), static_cast<int64_t>(history.size()));
  }
};

SamplerParams no_filters(float temperature) {
  SamplerParams params;
  params.temperature = temperature;
  params.top_k = 0;
  params.top_p = 1.0f;
  params.min_p = 0.0f;
  params.repeat_penalty = 1.0f;
  return params;
}

std::vector<float> log_probs(const std::vector<double> &probs) {
  std::vector<float> logits;
  for (double p : probs) logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

std::vector<double> frequencies(TestSampler &s, const std::vector<float> &logits, int draws) {
  std::vector<double> counts(logits.size(), 0.0);
  for (int i = 0; i < draws; ++i) {
    const int32_t token = s.sample(logits);
    REQUIRE(token >= 0);
    REQUIRE(token < static_cast<int32_t>(logits.size()));
    counts[static_cast<size_t>(token)] += 1.0;
  }
  for (double &c : counts) c /= draws;
  return counts;
}

std::vector<float> random_logits(int64_t n, std::mt19937 &rng) {
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(static_cast<size_t>(n));
  for (float &v : logits) v = normal(rng);
  return logits;
}

TEST_CASE("Sampler defaults are llama.cpp's") {
  const SamplerParams params;
  CHECK(params.temperature == 0.8f);
  CHECK(params.top_k == 40);
  CHECK(params.top_p == 0.95f);
  CHECK(params.min_p == 0.05f);
  CHECK(params.repeat_penalty == 1.0f);
  CHECK(params.repeat_last_n == 64);
  CHECK(Sampler::workspace_bytes(32000) == 256000);
}

TEST_CASE("Sampler::create rejects bad workspace and parameters") {
  std::vector<uint64_t> memory(100);
  SamplerParams ok;
  CHECK(Sampler::create(ok, 100, memory.data(), 800).is_ok());
  CHECK(Sampler::create(ok, 100, memory.data(), 799).status().code() == StatusCode::invalid_argument);
  CHECK(Sampler::create(ok, 100, nullptr, 800).status().code() == StatusCode::invalid_argument);
  CHECK(Sampler::create(ok, 0, memory.data(), 800).status().code() == StatusCode::invalid_argument);
  CHECK(Sampler::create(ok, 10, reinterpret_cast<uint8_t *>(memory.data()) + 1, 700).status().code() ==
        StatusCode::invalid_argument);
  SamplerParams bad = ok;
  bad.top_p = 1.5f;
  CHECK_FALSE(Sampler::create(bad, 100, memory.data(), 800).is_ok());
  bad = ok;
  bad.min_p = -0.1f;
  CHECK_FALSE(Sampler::create(bad, 100, memory.data(), 800).is_ok());
  bad = ok;
  bad.repeat_penalty = 0.0f;
  CHECK_FALSE(Sampler::create(bad, 100, memory.data(), 800).is_ok());
  bad = ok;
  bad.temperature = NAN;
  CHECK_FALSE(Sampler::create(bad, 100, memory.data(), 800).is_ok());
  bad = ok;
  bad.repeat_last_n = -2;
  CHECK_FALSE(Sampler::create(bad, 100, memory.data(), 800).is_ok());
}

TEST_CASE("greedy (temperature 0) picks the argmax, lowest id on ties") {
  std::mt19937 rng(1);
  SamplerParams params;  // default filters stay on: greedy ignores them
  params.temperature = 0.0f;
  TestSampler s(params, 1000);
  for (int trial = 0; trial < 20; ++trial) {
    const std::vector<float> logits = random_logits(1000, rng);
    CHECK(s.sample(logits) == argmax_f32(logits.data(), 1000));
    int64_t best = 0;
    for (int64_t i = 1; i < 1000; ++i) best = logits[static_cast<size_t>(i)] > logits[static_cast<size_t>(best)] ? i : best;
    CHECK(s.sample(logits) == best);
  }
  CHECK(s.sample(std::vector<float>(1000, 0.5f)) == 0);
  std::vector<float> tie(1000, -1.0f);
  tie[17] = 3.0f;
  tie[400] = 3.0f;
  CHECK(s.sample(tie) == 17);
}

TEST_CASE("argmax_f32 skips NaN") {
  const float x[4] = {NAN, 1.0f, 3.0f, NAN};
  CHECK(argmax_f32(x, 4) == 2);
  const float y[2] = {NAN, NAN};
  CHECK(argmax_f32(y, 2) == 0);
}

TEST_CASE("top_k = 1 is greedy at any temperature and seed") {
  std::mt19937 rng(2);
  for (uint64_t seed : {1ull, 2ull, 3ull}) {
    SamplerParams params;
    params.temperature = 1.5f;
    params.top_k = 1;
    params.seed = seed;
    TestSampler s(params, 500);
    for (int trial = 0; trial < 50; ++trial) {
      const std::vector<float> logits = random_logits(500, rng);
      CHECK(s.sample(logits) == argmax_f32(logits.data(), 500));
    }
  }
}

TEST_CASE("same seed gives the same tokens, different seeds differ, reseed restarts") {
  std::mt19937 rng(3);
  std::vector<std::vector<float>> steps;
  for (int i = 0; i < 200; ++i) steps.push_back(random_logits(300, rng));
  SamplerParams params;  // defaults: top-k 40, top-p 0.95, min-p 0.05, temperature 0.8
  params.min_p = 0.0f;   // keep many candidates so different seeds visibly diverge
  params.temperature = 2.0f;
  auto run = [&](uint64_t seed) {
    params.seed = seed;
    TestSampler s(params, 300);
    std::vector<int32_t> tokens;
    for (const auto &logits : steps) tokens.push_back(s.sample(logits));
    return tokens;
  };
  const std::vector<int32_t> a = run(11), b = run(11), c = run(12);
  CHECK(a == b);
  int differences = 0;
  for (size_t i = 0; i < a.size(); ++i) differences += a[i] != c[i];
  CHECK(differences > 50);

  params.seed = 11;
  TestSampler s(params, 300);
  for (int i = 0; i < 10; ++i) s.sample(steps[static_cast<size_t>(i)]);
  s.sampler.reseed(11);
  for (size_t i = 0; i < 20; ++i) CHECK(s.sample(steps[i]) == a[i]);
}

TEST_CASE("temperature 1 without filters samples the softmax distribution") {
  const std::vector<double> probs = {0.4, 0.3, 0.2, 0.1};
  TestSampler s(no_filters(1.0f), 4);
  const std::vector<double> freq = frequencies(s, log_probs(probs), 20000);
  for (size_t i = 0; i < probs.size(); ++i) CHECK(std::fabs(freq[i] - probs[i]) < 0.02);
}

TEST_CASE("temperature sharpens and flattens as softmax(logit / T)") {
  const std::vector<float> logits = {1.0f, 0.0f, -1.0f};
  for (float temperature : {0.5f, 2.0f}) {
    CAPTURE(temperature);
    TestSampler s(no_filters(temperature), 3);
    const std::vector<double> freq = frequencies(s, logits, 20000);
    double total = 0.0;
    for (float v : logits) total += std::exp(v / temperature);
    for (size_t i = 0; i < logits.size(); ++i) CHECK(std::fabs(freq[i] - std::exp(logits[i] / temperature) / total) < 0.02);
  }
}

TEST_CASE("top_k keeps only the k best") {
  SamplerParams params = no_filters(1.0f);
  params.top_k = 2;
  TestSampler s(params, 5);
  const std::vector<float> logits = {0.0f, 2.0f, -1.0f, 1.9f, 1.8f};
  const std::vector<double> freq = frequencies(s, logits, 10000);
  CHECK(freq[0] == 0.0);
  CHECK(freq[2] == 0.0);
  CHECK(freq[4] == 0.0);
  const double p1 = 1.0 / (1.0 + std::exp(-0.1));
  CHECK(std::fabs(freq[1] - p1) < 0.02);
}

TEST_CASE("top_p keeps the smallest prefix reaching p") {
  const std::vector<float> logits = log_probs({0.15, 0.5, 0.05, 0.3});  // sorted: 1 (.5), 3 (.3), 0 (.15), 2 (.05)
  SamplerParams params = no_filters(1.0f);
  params.top_p = 0.7f;  // .5 < .7 <= .8: keeps tokens 1 and 3
  TestSampler s(params, 4);
  std::vector<double> freq = frequencies(s, logits, 10000);
  CHECK(freq[0] == 0.0);
  CHECK(freq[2] == 0.0);
  CHECK(std::fabs(freq[1] - 0.5 / 0.8) < 0.02);
  CHECK(std::fabs(freq[3] - 0.3 / 0.8) < 0.02);

  params.top_p = 0.9f;  // .8 < .9 <= .95: token 0 joins, token 2 stays out
  TestSampler wider(params, 4);
  freq = frequencies(wider, logits, 10000);
  CHECK(freq[2] == 0.0);
  CHECK(std::fabs(freq[0] - 0.15 / 0.95) < 0.02);

  params.top_p = 0.3f;  // the first token alone reaches it
  TestSampler narrow(params, 4);
  freq = frequencies(narrow, logits, 1000);
  CHECK(freq[1] == 1.0);
}

TEST_CASE("min_p drops tokens below min_p times the best probability") {
  const std::vector<float> logits = log_probs({0.5, 0.3, 0.15, 0.05});
  SamplerParams params = no_filters(1.0f);
  params.min_p = 0.2f;  // threshold 0.1: token 3 (0.05) goes, 2 (0.15) stays
  TestSampler s(params, 4);
  const std::vector<double> freq = frequencies(s, logits, 10000);
  CHECK(freq[3] == 0.0);
  CHECK(std::fabs(freq[0] - 0.5 / 0.95) < 0.02);
  CHECK(std::fabs(freq[2] - 0.15 / 0.95) < 0.02);

  params.min_p = 0.7f;  // threshold 0.35: only token 0
  TestSampler strict(params, 4);
  CHECK(frequencies(strict, logits, 1000)[0] == 1.0);
}

TEST_CASE("filters compose: top-k, then top-p over what is left, then min-p") {
  // probs .4 .25 .2 .1 .05; top-k 3 leaves .4 .25 .2 (renormalised .47 .29 .24);
  // top-p .7 keeps .47 + .29 = .76; min-p .5 drops nothing (.29 > .235).
  const std::vector<float> logits = log_probs({0.4, 0.25, 0.2, 0.1, 0.05});
  SamplerParams params = no_filters(1.0f);
  params.top_k = 3;
  params.top_p = 0.7f;
  params.min_p = 0.5f;
  TestSampler s(params, 5);
  const std::vector<double> freq = frequencies(s, logits, 10000);
  CHECK(freq[2] == 0.0);
  CHECK(freq[3] == 0.0);
  CHECK(freq[4] == 0.0);
  CHECK(std::fabs(freq[0] - 0.4 / 0.65) < 0.02);
  // min_p 0.7 now drops token 1 (.25 < .7 * .4).
  params.min_p = 0.7f;
  TestSampler strict(params, 5);
  CHECK(frequencies(strict, logits, 1000)[0] == 1.0);
}

TEST_CASE("repetition penalty divides positive and multiplies negative logits of recent tokens") {
  SamplerParams params = no_filters(0.0f);  // greedy shows which logit won
  params.repeat_penalty = 2.0f;
  params.repeat_last_n = 2;
  TestSampler s(params, 4);
  // Positive: 2.0 -> 1.0 falls below 1.5.
  CHECK(s.sample({2.0f, 1.5f, -5.0f, -5.0f}) == 0);
  CHECK(s.sample({2.0f, 1.5f, -5.0f, -5.0f}, {0}) == 1);
  // Negative: -1.0 -> -2.0 falls below -1.5.
  CHECK(s.sample({-1.0f, -1.5f, -5.0f, -5.0f}, {0}) == 1);
  // A repeated token is penalised once: 3.5 -> 1.75 still beats 1.5.
  CHECK(s.sample({3.5f, 1.5f, -5.0f, -5.0f}, {0, 0}) == 0);
  // Only the last repeat_last_n tokens count: token 0 is three back.
  CHECK(s.sample({2.0f, 1.5f, -5.0f, -5.0f}, {0, 2, 3}) == 0);
  // Ids outside the vocabulary are ignored.
  CHECK(s.sample({2.0f, 1.5f, -5.0f, -5.0f}, {-1, 4}) == 0);
  // The sampler's state resets between calls: no penalty leaks into the next one.
  CHECK(s.sample({2.0f, 1.5f, -5.0f, -5.0f}) == 0);

  params.repeat_last_n = 0;  // off
  TestSampler off(params, 4);
  CHECK(off.sample({2.0f, 1.5f, -5.0f, -5.0f}, {0}) == 0);
  params.repeat_last_n = -1;  // whole history
  TestSampler all(params, 4);
  CHECK(all.sample({2.0f, 1.5f, -5.0f, -5.0f}, {0, 2, 3, 3, 3}) == 1);
}

TEST_CASE("repetition penalty shifts sampled frequencies as expected") {
  SamplerParams params = no_filters(1.0f);
  params.repeat_penalty = 1.5f;
  TestSampler s(params, 3);
  const std::vector<float> logits = {1.2f, 0.6f, -0.3f};
  std::vector<double> counts(3, 0.0);
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) counts[static_cast<size_t>(s.sample(logits, {0, 2}))] += 1.0;
  const double w0 = std::exp(1.2 / 1.5), w1 = std::exp(0.6), w2 = std::exp(-0.3 * 1.5);
  const double total = w0 + w1 + w2;
  CHECK(std::fabs(counts[0] / draws - w0 / total) < 0.02);
  CHECK(std::fabs(counts[1] / draws - w1 / total) < 0.02);
  CHECK(std::fabs(counts[2] / draws - w2 / total) < 0.02);
}

TEST_CASE("masked logits are never sampled") {
  SamplerParams params;
  params.temperature = 1.0f;
  params.top_k = 0;
  TestSampler s(params, 6);
  const std::vector<float> logits = {-INFINITY, 0.0f, -INFINITY, 0.1f, -INFINITY, -INFINITY};
  const std::vector<double> freq = frequencies(s, logits, 2000);
  CHECK(freq[1] + freq[3] == 1.0);
  const std::vector<float> one = {-INFINITY, -INFINITY, 2.0f, -INFINITY, -INFINITY, -INFINITY};
  CHECK(frequencies(s, one, 100)[2] == 1.0);
}

}  // namespace
}  // namespace ballast
