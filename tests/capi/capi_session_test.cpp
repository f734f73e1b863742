// C API sessions: parameters, creation failures, feeding, logits equal to the
// C++ Session's, sampling, generation and its stop conditions, stats, reset.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <limits>
#include <thread>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "kernels/dispatch/kernel_table.h"
#include "models/tokenizer/stream_detokenizer.h"
#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "tests/capi/capi_test_support.h"

using namespace ballast;
using namespace ballast::capi_test;

namespace {

struct Collected {
  std::string text;
  std::vector<int32_t> tokens;
  size_t stop_after = 0;  // 0 = never stop
};

int collect(const char *piece, size_t len, int32_t token, void *user_data) {
  auto *c = static_cast<Collected *>(user_data);
  CHECK(std::strlen(piece) == len);
  c->text.append(piece, len);
  c->tokens.push_back(token);
  return c->stop_after != 0 && c->tokens.size() >= c->stop_after ? 1 : 0;
}

// Writes an int into a C enum field, as C code may.
template <typename Enum>
void store_int(Enum *field, int value) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  std::memcpy(field, &value, sizeof(value));
}

// MemAvailable from /proc/meminfo, in bytes (0 if unreadable).
uint64_t available_memory_bytes() {
  std::FILE *f = std::fopen("/proc/meminfo", "r");
  if (f == nullptr) return 0;
  char line[256];
  unsigned long long kib = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1) break;
  }
  std::fclose(f);
  return uint64_t{kib} * 1024;
}

std::vector<int32_t> prompt_tokens(const ballast_model *model, const std::string &text) {
  std::vector<int32_t> ids(256);
  size_t n = 0;
  REQUIRE(ballast_tokenize(model, text.data(), text.size(), true, false, ids.data(), ids.size(), &n) == BALLAST_OK);
  ids.resize(n);
  return ids;
}

}  // namespace

TEST_CASE("capi default params match the engine's documented defaults") {
  const ballast_session_params p = ballast_session_default_params();
  const SessionParams engine;
  CHECK(p.sinks == -1);
  CHECK(p.window == 2044);
  CHECK(p.threads == 1);
  CHECK(p.batch == 64);
  CHECK(p.kv_type == BALLAST_KV_F16);
  CHECK(p.mode == BALLAST_CACHE_SINK);
  CHECK_FALSE(p.lock_memory);
  CHECK_FALSE(p.huge_pages);
  CHECK_FALSE(p.ignore_eos);
  CHECK(p.prefill_backend == BALLAST_PREFILL_AUTO);
  CHECK(p.repack_weights);
  CHECK(p.repack_weights == engine.repack_weights);
  CHECK(engine.prefill_backend == PrefillBackendChoice::automatic);
  CHECK(p.window == engine.window);
  CHECK(p.batch == engine.batch);
  CHECK(p.sampling.temperature == doctest::Approx(0.8));
  CHECK(p.sampling.top_k == 40);
  CHECK(p.sampling.top_p == doctest::Approx(0.95));
  CHECK(p.sampling.min_p == doctest::Approx(0.05));
  CHECK(p.sampling.repeat_penalty == doctest::Approx(1.0));
  CHECK(p.sampling.repeat_last_n == 64);
  CHECK(p.sampling.seed == 0x5eed);
  const ballast_sampling_params s = ballast_sampling_default_params();
  CHECK(std::memcmp(&s.seed, &p.sampling.seed, sizeof(s.seed)) == 0);
  CHECK(s.top_k == p.sampling.top_k);
}

TEST_CASE("capi session create rejects bad params with a message naming the field") {
  LoadedModel loaded;
  struct Case {
    const char *field;
    void (*edit)(ballast_session_params &);
  };
  const Case cases[] = {
      {"window", [](ballast_session_params &p) { p.window = 0; }},
      {"window", [](ballast_session_params &p) { p.window = (1u << 24) + 1; }},
      {"sinks", [](ballast_session_params &p) { p.sinks = 65; }},
      {"sinks", [](ballast_session_params &p) { p.sinks = -2; }},
      {"threads", [](ballast_session_params &p) { p.threads = 0; }},
      {"batch", [](ballast_session_params &p) { p.batch = 0; }},
      {"batch", [](ballast_session_params &p) { p.batch = 5000; }},
      // Out-of-range enum values as a C caller can store them (memcpy: a
      // C++ cast to such a value would itself be undefined).
      {"mode", [](ballast_session_params &p) { store_int(&p.mode, 7); }},
      {"kv_type", [](ballast_session_params &p) { store_int(&p.kv_type, -1); }},
      {"prefill_backend", [](ballast_session_params &p) { store_int(&p.prefill_backend, 4); }},
      {"prefill_backend", [](ballast_session_params &p) { store_int(&p.prefill_backend, -1); }},
      {"sinks", [](ballast_session_params &p) {
         p.mode = BALLAST_CACHE_WINDOW;
         p.sinks = 4;
       }},
      {"temperature", [](ballast_session_params &p) { p.sampling.temperature = -1.0f; }},
      {"temperature", [](ballast_session_params &p) { p.sampling.temperature = std::numeric_limits<float>::quiet_NaN(); }},
      {"top_k", [](ballast_session_params &p) { p.sampling.top_k = -3; }},
      {"top_p", [](ballast_session_params &p) { p.sampling.top_p = 1.5f; }},
      {"min_p", [](ballast_session_params &p) { p.sampling.min_p = -0.1f; }},
      {"repeat_penalty", [](ballast_session_params &p) { p.sampling.repeat_penalty = 0.0f; }},
      {"repeat_last_n", [](ballast_session_params &p) { p.sampling.repeat_last_n = -2; }},
  };
  for (const Case &c : cases) {
    CAPTURE(c.field);
    ballast_session_params p = small_session_params();
    c.edit(p);
    ballast_session *session = reinterpret_cast<ballast_session *>(0x1);
    CHECK(ballast_session_create(loaded.model, &p, &session) == BALLAST_ERROR_INVALID_ARGUMENT);
    CHECK(session == nullptr);
    CHECK(std::string(ballast_last_error()).find(c.field) != std::string::npos);
    uint64_t bytes = 0;
    CHECK(ballast_session_plan_bytes(loaded.model, &p, &bytes) == BALLAST_ERROR_INVALID_ARGUMENT);
  }
}

TEST_CASE("capi session create: null pointers and defaults and too little memory reports the missing bytes") {
  LoadedModel loaded;
  ballast_session *session = nullptr;
  const ballast_session_params p = small_session_params();
  CHECK(ballast_session_create(nullptr, &p, &session) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(session == nullptr);
  CHECK(ballast_session_create(loaded.model, &p, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);

  // NULL params = defaults (sinks 4, window 2044).
  REQUIRE(ballast_session_create(loaded.model, nullptr, &session) == BALLAST_OK);
  ballast_session_stats stats;
  REQUIRE(ballast_session_get_stats(session, &stats) == BALLAST_OK);
  CHECK(stats.sink_slots == 4);
  CHECK(stats.window == 2044);
  ballast_session_free(session);
  session = nullptr;

  // A wide model (K and V 512 floats per token per layer) with 16M window
  // slots plans 2 layers x 16M x (512 + 512) x 4 bytes = 128 GiB: more than
  // this machine has available, so creation is refused up front (not an OOM
  // kill later) with the byte counts in the message.
  mkmodel::ModelSpec wide_spec = small_spec();
  wide_spec.dim = 512;
  wide_spec.heads = 8;
  wide_spec.kv_heads = 8;
  static TempModelFile wide_file(wide_spec, "wide");
  ballast_model *wide = nullptr;
  REQUIRE(ballast_model_load(wide_file.path().c_str(), nullptr, &wide) == BALLAST_OK);
  ballast_session_params huge = small_session_params();
  huge.window = 1u << 24;
  uint64_t planned = 0;
  REQUIRE(ballast_session_plan_bytes(wide, &huge, &planned) == BALLAST_OK);
  CHECK(planned > (uint64_t{100} << 30));
  REQUIRE_MESSAGE(planned > available_memory_bytes(), "this machine has more memory than the test assumes");
  CHECK(ballast_session_create(wide, &huge, &session) == BALLAST_ERROR_OUT_OF_MEMORY);
  CHECK(session == nullptr);
  const std::string message = ballast_last_error();
  CAPTURE(message);
  CHECK(message.find("missing") != std::string::npos);
  CHECK(message.find(std::to_string(planned)) != std::string::npos);
  ballast_model_free(wide);

  ballast_session_free(nullptr);  // no-op
  CHECK(std::string(ballast_session_last_error(nullptr)).empty());
}

TEST_CASE("capi plan_bytes equals the arena the session reserves") {
  LoadedModel loaded;
  for (ballast_cache_mode mode : {BALLAST_CACHE_SINK, BALLAST_CACHE_WINDOW, BALLAST_CACHE_DENSE, BALLAST_CACHE_RECOMPUTE}) {
    for (int32_t sinks : {-1, 0, 2}) {
      if (mode == BALLAST_CACHE_WINDOW && sinks > 0) continue;
      CAPTURE(mode);
      CAPTURE(sinks);
      ballast_session_params p = small_session_params();
      p.mode = mode;
      p.sinks = sinks;
      p.threads = 2;
      uint64_t planned = 0;
      REQUIRE(ballast_session_plan_bytes(loaded.model, &p, &planned) == BALLAST_OK);
      CreatedSession created(loaded.model, p);
      ballast_session_stats stats;
      REQUIRE(ballast_session_get_stats(created.session, &stats) == BALLAST_OK);
      CHECK(stats.arena_bytes == planned);
      CHECK(stats.sink_slots == (mode == BALLAST_CACHE_WINDOW || sinks == 0 ? 0u : sinks < 0 ? 4u : uint32_t(sinks)));
    }
  }
  uint64_t bytes = 0;
  CHECK(ballast_session_plan_bytes(nullptr, nullptr, &bytes) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_plan_bytes(loaded.model, nullptr, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("capi prefill_backend and repack_weights reach the engine: same arena and logits as the C++ Session") {
  const char *env_repack = std::getenv("BALLAST_REPACK");
  const char *env_prefill = std::getenv("BALLAST_PREFILL");
  if ((env_repack != nullptr && env_repack[0] != '\0') || (env_prefill != nullptr && env_prefill[0] != '\0')) {
    MESSAGE("skipped: BALLAST_REPACK / BALLAST_PREFILL are set and override both sessions' fields");
    return;
  }
  LoadedModel loaded;
  auto cpp_model = load_model(small_model_path());
  REQUIRE(cpp_model.is_ok());
  std::vector<int32_t> ids(25);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = 5 + static_cast<int32_t>((i * 53) % 391);
  struct Choice {
    ballast_prefill_backend c;
    PrefillBackendChoice engine;
  };
  const Choice choices[] = {{BALLAST_PREFILL_AUTO, PrefillBackendChoice::automatic},
                            {BALLAST_PREFILL_NATIVE, PrefillBackendChoice::native},
                            {BALLAST_PREFILL_ONEDNN, PrefillBackendChoice::onednn},
                            {BALLAST_PREFILL_XNNPACK, PrefillBackendChoice::xnnpack}};
  uint64_t arena_by_repack[2] = {0, 0};
  for (bool repack : {false, true}) {
    for (const Choice &choice : choices) {
      CAPTURE(repack);
      CAPTURE(prefill_backend_choice_name(choice.engine));
      ballast_session_params p = small_session_params();
      p.prefill_backend = choice.c;
      p.repack_weights = repack;
      SessionParams engine_params;
      engine_params.sinks = p.sinks;
      engine_params.window = p.window;
      engine_params.batch = p.batch;
      engine_params.kv_type = KvType::f32;
      engine_params.prefill_backend = choice.engine;
      engine_params.repack_weights = repack;
      auto cpp_session = Session::create(*cpp_model.value(), engine_params);
      REQUIRE(cpp_session.is_ok());
      CreatedSession created(loaded.model, p);
      ballast_session_stats stats;
      REQUIRE(ballast_session_get_stats(created.session, &stats) == BALLAST_OK);
      CHECK(stats.arena_bytes == cpp_session.value()->stats().arena_bytes);
      if (choice.c == BALLAST_PREFILL_NATIVE) arena_by_repack[repack ? 1 : 0] = stats.arena_bytes;
      // A 20-token prefill chunk (the backend's work), then 5 decodes.
      REQUIRE(ballast_session_feed_tokens(created.session, ids.data(), 20) == BALLAST_OK);
      REQUIRE(cpp_session.value()->feed(ids.data(), 20).is_ok());
      for (size_t i = 20; i < ids.size(); ++i) {
        REQUIRE(ballast_session_feed_tokens(created.session, &ids[i], 1) == BALLAST_OK);
        REQUIRE(cpp_session.value()->feed(&ids[i], 1).is_ok());
      }
      const float *logits = nullptr;
      int32_t n_vocab = 0;
      REQUIRE(ballast_session_logits(created.session, &logits, &n_vocab) == BALLAST_OK);
      CHECK(std::memcmp(logits, cpp_session.value()->logits(), sizeof(float) * n_vocab) == 0);
    }
  }
  // The model is Q8_0: where this CPU has repacked Q8_0 kernels, repacking
  // adds the copy to the arena, so a field that did not arrive would show.
  Result<const KernelTable *> table = host_kernel_table();
  REQUIRE(table.is_ok());
  const QuantizedMatmulKernels *q8 = table.value()->matmul_kernels(TensorType::q8_0);
  if (q8 != nullptr && q8->repacked != nullptr) {
    CHECK(arena_by_repack[1] > arena_by_repack[0]);
  } else {
    CHECK(arena_by_repack[1] == arena_by_repack[0]);
  }
}

TEST_CASE("capi logits equal the C++ Session's through eviction") {
  LoadedModel loaded;
  auto cpp_model = load_model(small_model_path());
  REQUIRE(cpp_model.is_ok());
  const ballast_session_params p = small_session_params();
  SessionParams engine_params;
  engine_params.sinks = p.sinks;
  engine_params.window = p.window;
  engine_params.batch = p.batch;
  engine_params.kv_type = KvType::f32;
  auto cpp_session = Session::create(*cpp_model.value(), engine_params);
  REQUIRE(cpp_session.is_ok());
  CreatedSession created(loaded.model, p);

  // 80 tokens through a 4 + 28 cache: a prefill chunk, then single tokens
  // well past the eviction point.
  std::vector<int32_t> ids(80);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = 3 + static_cast<int32_t>((i * 37) % 397);
  REQUIRE(ballast_session_feed_tokens(created.session, ids.data(), 20) == BALLAST_OK);
  REQUIRE(cpp_session.value()->feed(ids.data(), 20).is_ok());
  for (size_t i = 20; i < ids.size(); ++i) {
    REQUIRE(ballast_session_feed_tokens(created.session, &ids[i], 1) == BALLAST_OK);
    REQUIRE(cpp_session.value()->feed(&ids[i], 1).is_ok());
    const float *logits = nullptr;
    int32_t n_vocab = 0;
    REQUIRE(ballast_session_logits(created.session, &logits, &n_vocab) == BALLAST_OK);
    REQUIRE(n_vocab == 400);
    CHECK(std::memcmp(logits, cpp_session.value()->logits(), sizeof(float) * 400) == 0);
  }
  ballast_session_stats stats;
  REQUIRE(ballast_session_get_stats(created.session, &stats) == BALLAST_OK);
  CHECK(stats.tokens_seen == 80);
  CHECK(stats.cached_tokens == 32);
  CHECK(stats.evictions == 48);
  CHECK(stats.prefill_tokens == 20);
  CHECK(stats.decode_tokens == 60);
  CHECK(stats.decode_seconds > 0);
  CHECK(stats.decode_tokens_per_second == doctest::Approx(60 / stats.decode_seconds));
  CHECK(stats.arena_bytes == cpp_session.value()->stats().arena_bytes);
}

TEST_CASE("capi feed_text equals tokenize plus feed_tokens and bad tokens are refused and nothing is fed") {
  LoadedModel loaded;
  const std::string text = "a cat sat on the mat";
  const ballast_session_params p = small_session_params();
  CreatedSession by_text(loaded.model, p);
  CreatedSession by_tokens(loaded.model, p);
  REQUIRE(ballast_session_feed_text(by_text.session, text.data(), text.size(), true, false) == BALLAST_OK);
  const std::vector<int32_t> ids = prompt_tokens(loaded.model, text);
  REQUIRE(ballast_session_feed_tokens(by_tokens.session, ids.data(), ids.size()) == BALLAST_OK);
  const float *a = nullptr;
  const float *b = nullptr;
  REQUIRE(ballast_session_logits(by_text.session, &a, nullptr) == BALLAST_OK);
  REQUIRE(ballast_session_logits(by_tokens.session, &b, nullptr) == BALLAST_OK);
  CHECK(std::memcmp(a, b, sizeof(float) * 400) == 0);

  ballast_session_stats before, after;
  REQUIRE(ballast_session_get_stats(by_tokens.session, &before) == BALLAST_OK);
  const int32_t bad[] = {5, 6, 400};
  CHECK(ballast_session_feed_tokens(by_tokens.session, bad, 3) == BALLAST_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ballast_session_last_error(by_tokens.session)).find("tokens[2] = 400") != std::string::npos);
  CHECK(std::string(ballast_last_error()).find("tokens[2] = 400") != std::string::npos);
  const int32_t negative[] = {-1};
  CHECK(ballast_session_feed_tokens(by_tokens.session, negative, 1) == BALLAST_ERROR_OUT_OF_RANGE);
  REQUIRE(ballast_session_get_stats(by_tokens.session, &after) == BALLAST_OK);
  CHECK(after.tokens_seen == before.tokens_seen);

  // Empty text feeds nothing; NULL pointers are refused.
  CHECK(ballast_session_feed_text(by_text.session, "", 0, false, false) == BALLAST_OK);
  CHECK(ballast_session_feed_text(by_text.session, nullptr, 0, false, false) == BALLAST_OK);
  CHECK(ballast_session_feed_text(by_text.session, nullptr, 4, false, false) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_feed_tokens(by_text.session, nullptr, 2) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_feed_tokens(by_text.session, nullptr, 0) == BALLAST_OK);
  CHECK(ballast_session_feed_text(nullptr, "a", 1, true, false) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_feed_tokens(nullptr, bad, 1) == BALLAST_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("capi sample and logits and generate need fed tokens and null session and outputs are refused") {
  LoadedModel loaded;
  CreatedSession created(loaded.model, small_session_params());
  int32_t token = -1;
  const float *logits = reinterpret_cast<const float *>(0x1);
  CHECK(ballast_session_sample(created.session, &token) == BALLAST_ERROR_INVALID_STATE);
  CHECK(ballast_session_logits(created.session, &logits, nullptr) == BALLAST_ERROR_INVALID_STATE);
  CHECK(logits == nullptr);
  ballast_generate_result result;
  CHECK(ballast_session_generate(created.session, 4, nullptr, nullptr, &result) == BALLAST_ERROR_INVALID_STATE);
  CHECK(result.n_tokens == 0);
  CHECK(result.stop_reason == BALLAST_STOP_ERROR);
  CHECK(std::string(ballast_session_last_error(created.session)).find("feed") != std::string::npos);

  CHECK(ballast_session_sample(nullptr, &token) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_sample(created.session, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_logits(nullptr, &logits, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_logits(created.session, nullptr, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_generate(nullptr, 4, nullptr, nullptr, &result) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_get_stats(nullptr, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_get_stats(created.session, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_session_reset(nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);

  const int32_t one = 5;
  REQUIRE(ballast_session_feed_tokens(created.session, &one, 1) == BALLAST_OK);
  CHECK(ballast_session_generate(created.session, -2, nullptr, nullptr, &result) == BALLAST_ERROR_INVALID_ARGUMENT);
  REQUIRE(ballast_session_sample(created.session, &token) == BALLAST_OK);
  CHECK(token >= 0);
  CHECK(token < 400);
}

TEST_CASE("capi greedy sample is the argmax of the logits and the same seed gives the same tokens") {
  LoadedModel loaded;
  ballast_session_params p = small_session_params();
  p.sampling.temperature = 0.0f;
  CreatedSession greedy(loaded.model, p);
  const std::vector<int32_t> ids = prompt_tokens(loaded.model, "once upon a time");
  REQUIRE(ballast_session_feed_tokens(greedy.session, ids.data(), ids.size()) == BALLAST_OK);
  const float *logits = nullptr;
  REQUIRE(ballast_session_logits(greedy.session, &logits, nullptr) == BALLAST_OK);
  int32_t best = 0;
  for (int32_t i = 1; i < 400; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  int32_t token = -1;
  REQUIRE(ballast_session_sample(greedy.session, &token) == BALLAST_OK);
  CHECK(token == best);

  ballast_session_params random = small_session_params();
  random.sampling.temperature = 1.0f;
  random.sampling.seed = 99;
  random.ignore_eos = true;
  std::vector<int32_t> runs[3];
  for (int run = 0; run < 3; ++run) {
    if (run == 2) random.sampling.seed = 100;
    CreatedSession s(loaded.model, random);
    REQUIRE(ballast_session_feed_tokens(s.session, ids.data(), ids.size()) == BALLAST_OK);
    Collected c;
    REQUIRE(ballast_session_generate(s.session, 24, collect, &c, nullptr) == BALLAST_OK);
    runs[run] = c.tokens;
  }
  CHECK(runs[0].size() == 24);
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0] != runs[2]);
}

TEST_CASE("capi generate: max tokens and callback stop and chunked generation equals one call and text equals detokenize") {
  LoadedModel loaded;
  ballast_session_params p = small_session_params();
  p.ignore_eos = true;
  p.sampling.seed = 5;
  const std::vector<int32_t> ids = prompt_tokens(loaded.model, "the cat");

  CreatedSession whole(loaded.model, p);
  REQUIRE(ballast_session_feed_tokens(whole.session, ids.data(), ids.size()) == BALLAST_OK);
  Collected all;
  ballast_generate_result result;
  REQUIRE(ballast_session_generate(whole.session, 60, collect, &all, &result) == BALLAST_OK);
  CHECK(result.n_tokens == 60);
  CHECK(result.stop_reason == BALLAST_STOP_MAX_TOKENS);
  REQUIRE(all.tokens.size() == 60);
  // Every reported token was fed (60 generated + prompt, through eviction).
  ballast_session_stats stats;
  REQUIRE(ballast_session_get_stats(whole.session, &stats) == BALLAST_OK);
  CHECK(stats.tokens_seen == ids.size() + 60);
  CHECK(stats.cached_tokens == 32);
  // The streamed pieces are what the streaming detokenizer makes of the
  // tokens (whole UTF-8 characters; stray bytes become U+FFFD).
  auto cpp_model = load_model(small_model_path());
  REQUIRE(cpp_model.is_ok());
  StreamDetokenizer reference(cpp_model.value()->tokenizer);
  std::string expected;
  for (int32_t t : all.tokens) reference.push(t, &expected);
  CHECK(all.text == expected);

  // The same stream in chunks of 7 plus a callback stop after 3 tokens.
  CreatedSession chunked(loaded.model, p);
  REQUIRE(ballast_session_feed_tokens(chunked.session, ids.data(), ids.size()) == BALLAST_OK);
  Collected parts;
  parts.stop_after = 3;
  REQUIRE(ballast_session_generate(chunked.session, 50, collect, &parts, &result) == BALLAST_OK);
  CHECK(result.n_tokens == 3);
  CHECK(result.stop_reason == BALLAST_STOP_CALLBACK);
  CHECK(parts.tokens.size() == 3);
  parts.stop_after = 0;
  while (parts.tokens.size() < 60) {
    const int64_t chunk = std::min<int64_t>(7, 60 - static_cast<int64_t>(parts.tokens.size()));
    REQUIRE(ballast_session_generate(chunked.session, chunk, collect, &parts, &result) == BALLAST_OK);
    CHECK(result.n_tokens == static_cast<uint64_t>(chunk));
  }
  CHECK(parts.tokens == all.tokens);
  CHECK(parts.text == all.text);

  // max_tokens 0 generates nothing; a NULL callback generates silently.
  REQUIRE(ballast_session_generate(chunked.session, 0, collect, &parts, &result) == BALLAST_OK);
  CHECK(result.n_tokens == 0);
  REQUIRE(ballast_session_generate(chunked.session, 5, nullptr, nullptr, &result) == BALLAST_OK);
  CHECK(result.n_tokens == 5);
  CHECK(parts.tokens.size() == 60);

  // Endless (-1) runs until the callback says stop.
  Collected endless;
  endless.stop_after = 40;
  REQUIRE(ballast_session_generate(chunked.session, -1, collect, &endless, &result) == BALLAST_OK);
  CHECK(result.n_tokens == 40);
  CHECK(result.stop_reason == BALLAST_STOP_CALLBACK);
}

TEST_CASE("capi generate stops at the end-of-generation token unless ignore_eos") {
  // Find the third token greedy decoding produces, then build the same model
  // with that token declared as EOS: generation must stop right before it.
  const mkmodel::ModelSpec spec = small_spec();
  LoadedModel loaded;
  ballast_session_params p = small_session_params();
  p.sampling.temperature = 0.0f;
  p.ignore_eos = true;
  const std::vector<int32_t> ids = prompt_tokens(loaded.model, "hello");
  Collected first;
  {
    CreatedSession s(loaded.model, p);
    REQUIRE(ballast_session_feed_tokens(s.session, ids.data(), ids.size()) == BALLAST_OK);
    REQUIRE(ballast_session_generate(s.session, 3, collect, &first, nullptr) == BALLAST_OK);
  }
  REQUIRE(first.tokens.size() == 3);
  const int32_t new_eos = first.tokens[2];
  if (new_eos == first.tokens[0] || new_eos == first.tokens[1]) {
    MESSAGE("greedy repeats a token early; the EOS position below is then the first occurrence");
  }
  const size_t expected_before_eos =
      new_eos == first.tokens[0] ? 0 : new_eos == first.tokens[1] ? 1 : 2;

  const std::string path = std::string(P_tmpdir) + "/ballast-capi-eos-" + std::to_string(getpid()) + ".gguf";
  GgufWriter writer;
  REQUIRE(mkmodel::add_model(spec, writer).is_ok());
  writer.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(new_eos));
  REQUIRE(writer.write_file(path).is_ok());
  ballast_model *eos_model = nullptr;
  const ballast_status loaded_status = ballast_model_load(path.c_str(), nullptr, &eos_model);
  std::remove(path.c_str());
  REQUIRE_MESSAGE(loaded_status == BALLAST_OK, ballast_last_error());
  CHECK(ballast_model_eos_token(eos_model) == new_eos);

  ballast_session_params stop_at_eos = p;
  stop_at_eos.ignore_eos = false;
  {
    CreatedSession s(eos_model, stop_at_eos);
    REQUIRE(ballast_session_feed_tokens(s.session, ids.data(), ids.size()) == BALLAST_OK);
    Collected c;
    ballast_generate_result result;
    REQUIRE(ballast_session_generate(s.session, 20, collect, &c, &result) == BALLAST_OK);
    CHECK(result.stop_reason == BALLAST_STOP_END_OF_GENERATION);
    CHECK(result.n_tokens == expected_before_eos);
    CHECK(c.tokens.size() == expected_before_eos);
    for (int32_t t : c.tokens) CHECK(t != new_eos);
    // EOS is not fed: the stream holds the prompt and the reported tokens only.
    ballast_session_stats stats;
    REQUIRE(ballast_session_get_stats(s.session, &stats) == BALLAST_OK);
    CHECK(stats.tokens_seen == ids.size() + expected_before_eos);
  }
  {
    CreatedSession s(eos_model, p);  // ignore_eos
    REQUIRE(ballast_session_feed_tokens(s.session, ids.data(), ids.size()) == BALLAST_OK);
    Collected c;
    ballast_generate_result result;
    REQUIRE(ballast_session_generate(s.session, 20, collect, &c, &result) == BALLAST_OK);
    CHECK(result.stop_reason == BALLAST_STOP_MAX_TOKENS);
    CHECK(c.tokens.size() == 20);
    CHECK(c.tokens[expected_before_eos] == new_eos);
  }
  ballast_model_free(eos_model);
}

TEST_CASE("capi dense mode refuses to feed past its capacity and also inside generate") {
  LoadedModel loaded;
  ballast_session_params p = small_session_params();
  p.mode = BALLAST_CACHE_DENSE;
  p.ignore_eos = true;
  CreatedSession created(loaded.model, p);  // capacity 4 + 28 = 32
  std::vector<int32_t> ids(30, 7);
  REQUIRE(ballast_session_feed_tokens(created.session, ids.data(), ids.size()) == BALLAST_OK);
  CHECK(ballast_session_feed_tokens(created.session, ids.data(), 5) == BALLAST_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ballast_session_last_error(created.session)).find("capacity") != std::string::npos);
  Collected c;
  ballast_generate_result result;
  CHECK(ballast_session_generate(created.session, 10, collect, &c, &result) == BALLAST_ERROR_OUT_OF_RANGE);
  CHECK(result.stop_reason == BALLAST_STOP_ERROR);
  CHECK(result.n_tokens == 3);  // 2 fed, the third reported but refused
  ballast_session_stats stats;
  REQUIRE(ballast_session_get_stats(created.session, &stats) == BALLAST_OK);
  CHECK(stats.cached_tokens == 32);
  CHECK(stats.evictions == 0);
}

TEST_CASE("capi reset empties the cache and the stream starts again identically") {
  LoadedModel loaded;
  ballast_session_params p = small_session_params();
  p.sampling.temperature = 0.0f;
  p.ignore_eos = true;
  CreatedSession created(loaded.model, p);
  const std::string text = "a cat sat";
  REQUIRE(ballast_session_feed_text(created.session, text.data(), text.size(), true, false) == BALLAST_OK);
  Collected first;
  REQUIRE(ballast_session_generate(created.session, 40, collect, &first, nullptr) == BALLAST_OK);

  REQUIRE(ballast_session_reset(created.session) == BALLAST_OK);
  ballast_session_stats stats;
  REQUIRE(ballast_session_get_stats(created.session, &stats) == BALLAST_OK);
  CHECK(stats.tokens_seen == 0);
  CHECK(stats.cached_tokens == 0);
  CHECK(stats.evictions == 0);
  int32_t token = 0;
  CHECK(ballast_session_sample(created.session, &token) == BALLAST_ERROR_INVALID_STATE);

  REQUIRE(ballast_session_feed_text(created.session, text.data(), text.size(), true, false) == BALLAST_OK);
  Collected second;
  REQUIRE(ballast_session_generate(created.session, 40, collect, &second, nullptr) == BALLAST_OK);
  CHECK(second.tokens == first.tokens);
}

TEST_CASE("capi sessions on different threads share one model") {
  LoadedModel loaded;
  ballast_session_params p = small_session_params();
  p.ignore_eos = true;
  const std::vector<int32_t> ids = prompt_tokens(loaded.model, "one model many sessions");
  Collected reference;
  {
    CreatedSession s(loaded.model, p);
    REQUIRE(ballast_session_feed_tokens(s.session, ids.data(), ids.size()) == BALLAST_OK);
    REQUIRE(ballast_session_generate(s.session, 50, collect, &reference, nullptr) == BALLAST_OK);
  }
  Collected results[3];
  ballast_status statuses[3];
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      ballast_session *session = nullptr;
      statuses[t] = ballast_session_create(loaded.model, &p, &session);
      if (statuses[t] != BALLAST_OK) return;
      statuses[t] = ballast_session_feed_tokens(session, ids.data(), ids.size());
      if (statuses[t] == BALLAST_OK) {
        statuses[t] = ballast_session_generate(
            session, 50,
            [](const char *piece, size_t len, int32_t token, void *user) {
              auto *c = static_cast<Collected *>(user);
              c->text.append(piece, len);
              c->tokens.push_back(token);
              return 0;
            },
            &results[t], nullptr);
      }
      ballast_session_free(session);
    });
  }
  for (auto &thread : threads) thread.join();
  for (int t = 0; t < 3; ++t) {
    CHECK(statuses[t] == BALLAST_OK);
    CHECK(results[t].tokens == reference.tokens);
  }
}
