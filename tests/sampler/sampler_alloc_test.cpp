// The sampler draws from caller memory only: zero heap allocations per call.
#include <cstdint>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/sampler/sampler.h"
#include "tests/support/allocation_counter.h"

namespace ballast {
namespace {

TEST_CASE("Sampler::sample allocates nothing") {
  const int64_t n_vocab = 32000;
  std::vector<uint64_t> workspace(static_cast<size_t>(n_vocab));
  std::vector<std::vector<float>> steps;
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  for (int i = 0; i < 8; ++i) {
    steps.emplace_back(static_cast<size_t>(n_vocab));
    for (float &v : steps.back()) v = normal(rng);
  }
  std::vector<int32_t> history(300);
  for (size_t i = 0; i < history.size(); ++i) history[i] = static_cast<int32_t>((i * 7919) % n_vocab);

  SamplerParams everything;  // defaults, plus a penalty
  everything.repeat_penalty = 1.1f;
  SamplerParams full_sort = everything;  // top-p over the whole vocabulary: std::sort
  full_sort.top_k = 0;
  SamplerParams greedy = everything;
  greedy.temperature = 0.0f;

  for (const SamplerParams &params : {everything, full_sort, greedy}) {
    Result<Sampler> created = Sampler::create(params, n_vocab, workspace.data(), workspace.size() * 8);
    REQUIRE(created.is_ok());
    Sampler &sampler = created.value();
    int64_t checksum = 0;
    uint64_t allocations = 0;
    {
      testing::AllocationCountScope scope;
      for (int i = 0; i < 1000; ++i) {
        checksum += sampler.sample(steps[static_cast<size_t>(i % 8)].data(), history.data(),
                                   static_cast<int64_t>(history.size()));
      }
      allocations = scope.count();
    }
    CHECK(allocations == 0);
    CHECK(checksum >= 0);
  }
}

}  // namespace
}  // namespace ballast
