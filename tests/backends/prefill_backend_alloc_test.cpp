// Decode stays allocation-free with prefill backends enabled: the backend
// runs (and may allocate) only for prefill chunks; decode is native.
#include <doctest/doctest.h>

#include "tests/engine/engine_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;
using namespace ballast::test;
using ballast::testing::AllocationCountScope;

TEST_CASE("decode after a backend prefill performs zero heap allocations, on 1 and 2 threads") {
  for (PrefillBackendChoice choice : {PrefillBackendChoice::onednn, PrefillBackendChoice::xnnpack}) {
    for (uint32_t threads : {1u, 2u}) {
      const std::string name = prefill_backend_choice_name(choice);
      CAPTURE(name);
      CAPTURE(threads);
      mkmodel::ModelSpec spec;
      spec.type = TensorType::q8_0;
      spec.dim = 128;
      spec.ffn = 256;
      spec.seed = 9;
      auto model = make_test_model(spec, std::string("backend-alloc-") + name);
      SessionParams params;
      params.window = 28;
      params.batch = 16;
      params.prefill_backend = choice;
      params.threads = threads;
      auto session = make_session(*model, params);
      if (session->prefill_routes().find(name) == std::string::npos) {
        MESSAGE("skipped " << name << ": not in this build");
        continue;
      }
      const auto prompt = test_tokens(40, model->config.n_vocab);
      REQUIRE(session->feed(prompt.data(), prompt.size()).is_ok());  // backend prefill (may allocate)
      AllocationCountScope scope;
      for (int i = 0; i < 500; ++i) {
        const int32_t token = session->sample();
        REQUIRE(session->feed(&token, 1).is_ok());
      }
      CHECK(scope.count() == 0);
      CHECK(session->stats().evictions >= 500);
    }
  }
}
