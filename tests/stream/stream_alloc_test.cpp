// The stream loop's steady state allocates nothing: feeding pre-tokenized
// transcript through eviction, summaries (snapshot, prompt, generation,
// restore, memory re-feed) and checkpoints, after init.
#include <cstdio>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/stream/stream_driver.h"
#include "tests/stream/stream_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;
using namespace ballast::test;
using ballast::testing::AllocationCountScope;

TEST_CASE("stream: feed and summaries and checkpoints perform zero heap allocations after init") {
  auto model = make_stream_test_model();
  auto created = StreamDriver::create(*model, stream_test_session_params(), stream_test_params());
  REQUIRE_MESSAGE(created.is_ok(), created.status().to_string());
  StreamDriver &d = *created.value();
  const std::string path = std::string(P_tmpdir) + "/ballast-stream-alloc-test.state";
  REQUIRE(d.set_state_path(path).is_ok());
  const auto tokens = test_tokens(4000, model->config.n_vocab);
  // Warm-up: one of everything (first checkpoint creates the file).
  REQUIRE(d.feed_tokens(tokens.data(), 40).is_ok());
  REQUIRE(d.summarize().is_ok());
  REQUIRE(d.save_checkpoint().is_ok());

  uint64_t summaries = 0;
  {
    AllocationCountScope scope;
    for (size_t at = 40; at + 20 <= tokens.size(); at += 20) {  // "lines" of 20 tokens
      REQUIRE(d.feed_tokens(tokens.data() + at, 20).is_ok());
      if (at % 400 == 0) {
        REQUIRE(d.summarize().is_ok());
        ++summaries;
      }
      if (at % 1000 == 0) REQUIRE(d.save_checkpoint().is_ok());
    }
    CHECK(scope.count() == 0);
  }
  CHECK(summaries >= 9);
  CHECK(d.session().stats().evictions > 3000);
  std::remove(path.c_str());
}
