// The C API keeps the engine's promise: after ballast_session_create(),
// generating (sample + detokenize + callback + feed), feeding tokens,
// sampling, reading logits and stats and resetting never allocate, for
// thousands of tokens past the eviction point.
#include <string>

#include <doctest/doctest.h>

#include "tests/capi/capi_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast::capi_test;

namespace {

int count_bytes(const char *piece, size_t len, int32_t token, void *user_data) {
  (void)piece;
  (void)token;
  *static_cast<size_t *>(user_data) += len;
  return 0;
}

}  // namespace

TEST_CASE("capi generate and feed_tokens and sample and reset make no heap allocation") {
  LoadedModel loaded;
  ballast_session_params params = small_session_params();  // 4 sinks + 28 window: evicts early
  params.ignore_eos = true;
  CreatedSession created(loaded.model, params);
  const std::string prompt = "the cat sat on the mat";
  REQUIRE(ballast_session_feed_text(created.session, prompt.data(), prompt.size(), true, false) == BALLAST_OK);

  size_t bytes_out = 0;
  ballast_generate_result result;
  ballast_session_stats stats;
  int32_t token = 0;
  const float *logits = nullptr;
  uint64_t allocations = 0;
  {
    ballast::testing::AllocationCountScope scope;
    REQUIRE(ballast_session_generate(created.session, 2000, count_bytes, &bytes_out, &result) == BALLAST_OK);
    REQUIRE(ballast_session_sample(created.session, &token) == BALLAST_OK);
    REQUIRE(ballast_session_feed_tokens(created.session, &token, 1) == BALLAST_OK);
    REQUIRE(ballast_session_logits(created.session, &logits, nullptr) == BALLAST_OK);
    REQUIRE(ballast_session_get_stats(created.session, &stats) == BALLAST_OK);
    REQUIRE(ballast_session_reset(created.session) == BALLAST_OK);
    REQUIRE(ballast_session_feed_tokens(created.session, &token, 1) == BALLAST_OK);
    REQUIRE(ballast_session_generate(created.session, 100, nullptr, nullptr, &result) == BALLAST_OK);
    allocations = scope.count();
  }
  CHECK(allocations == 0);
  CHECK(stats.evictions > 1900);
  CHECK(bytes_out > 0);
  MESSAGE("allocation counter sees malloc too: " << ballast::testing::allocation_counter_sees_malloc());
}
