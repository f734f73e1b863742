// Zero heap allocations after init with a multi-threaded session: the pool's
// regions pass a function pointer and a context, nothing else.
#include <doctest/doctest.h>

#include "tests/engine/engine_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;
using namespace ballast::test;
using ballast::testing::AllocationCountScope;

TEST_CASE("threaded decode, eviction and prefill perform zero heap allocations after init") {
  for (uint32_t threads : {2u}) {
    CAPTURE(threads);
    mkmodel::ModelSpec spec;
    spec.arch = mkmodel::ModelArch::llama;
    spec.type = TensorType::q4_0;
    spec.dim = 256;
    spec.ffn = 512;
    spec.seed = 5;
    auto model = make_test_model(spec, "threaded-alloc");
    SessionParams params;
    params.sinks = 4;
    params.window = 28;
    params.threads = threads;
    auto session = make_session(*model, params);
    const auto prompt = test_tokens(40, model->config.n_vocab);
    AllocationCountScope scope;
    REQUIRE(session->feed(prompt.data(), prompt.size()).is_ok());
    for (int i = 0; i < 300; ++i) {
      const int32_t token = session->sample();
      REQUIRE(session->feed(&token, 1).is_ok());
    }
    CHECK(scope.count() == 0);
    CHECK(session->stats().evictions >= 300u);
  }
}
