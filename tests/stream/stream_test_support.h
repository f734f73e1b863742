// Test models for the stream tests: the tiny random model with the default
// model's real vocabulary (so text tokenizes like it does for users).
#pragma once

#include <string>

#include "tests/engine/engine_test_support.h"

namespace ballast::test {

inline std::unique_ptr<Model> make_stream_test_model(uint64_t seed = 5) {
  mkmodel::ModelSpec spec;
  spec.seed = seed;
  spec.vocab_from = std::string(BALLAST_SOURCE_DIR) + "/models/default/ballast-default.gguf";
  return make_test_model(spec, "stream-" + std::to_string(seed));
}

inline SessionParams stream_test_session_params() {
  SessionParams params;
  params.sinks = 1;
  params.window = 60;
  params.batch = 16;
  params.sampling.temperature = 0.7f;  // sampled, so the RNG scheme is exercised
  return params;
}

inline StreamParams stream_test_params() {
  StreamParams params;
  params.summary_max_tokens = 12;
  params.memory_max_tokens = 8;
  params.sampling = stream_test_session_params().sampling;
  return params;
}

}  // namespace ballast::test
