// Test models for engine tests: generated with ballast-mkmodel's library into
// a temporary file, then loaded like any user's model.
#pragma once

#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "tools/mkmodel/model_generator.h"

namespace ballast::test {

inline std::unique_ptr<Model> make_test_model(mkmodel::ModelSpec spec, const std::string &tag,
                                              const std::function<void(GgufWriter &)> &edit = {}) {
  // Per-process name: CTest runs the engine suites under several BALLAST_ISA
  // values in parallel.
  const std::string path =
      std::string(P_tmpdir) + "/ballast-engine-test-" + std::to_string(::getpid()) + "-" + tag + ".gguf";
  GgufWriter writer;
  auto build = mkmodel::add_model(spec, writer);
  REQUIRE_MESSAGE(build.is_ok(), build.status().to_string());
  if (edit) edit(writer);
  Status written = writer.write_file(path);
  REQUIRE_MESSAGE(written.is_ok(), written.to_string());
  auto model = load_model(path);
  REQUIRE_MESSAGE(model.is_ok(), model.status().to_string());
  std::remove(path.c_str());  // the mapping stays valid after unlink
  return std::move(model).value();
}

inline std::unique_ptr<Session> make_session(const Model &model, const SessionParams &params) {
  auto session = Session::create(model, params);
  REQUIRE_MESSAGE(session.is_ok(), session.status().to_string());
  return std::move(session).value();
}

// Deterministic token ids in [3, n_vocab) (skips <unk>, <s>, </s>).
inline std::vector<int32_t> test_tokens(size_t n, uint32_t n_vocab, uint32_t seed = 1) {
  std::vector<int32_t> ids(n);
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    ids[i] = 3 + static_cast<int32_t>((state >> 33) % (n_vocab - 3));
  }
  return ids;
}

// max |a - b| over n, relative to max |b|.
inline double max_relative_difference(const float *a, const float *b, size_t n) {
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < n; ++i) {
    max_diff = std::fmax(max_diff, std::fabs(double{a[i]} - b[i]));
    max_ref = std::fmax(max_ref, std::fabs(double{b[i]}));
  }
  return max_ref > 0 ? max_diff / max_ref : max_diff;
}

}  // namespace ballast::test
