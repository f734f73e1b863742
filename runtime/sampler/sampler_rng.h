// The sampler's random numbers: xoshiro256** (Blackman & Vigna), seeded
// through splitmix64. Integer-only state updates, so a seed gives the same
// sequence on every platform and compiler. Not for cryptography.
#pragma once

#include <cstdint>

namespace ballast {

class SamplerRng {
 public:
  explicit SamplerRng(uint64_t seed = 0) { reseed(seed); }

  // Every seed (0 included) gives a valid, distinct state.
  void reseed(uint64_t seed);
  uint64_t next_u64();
  // Uniform in [0, 1), 53 random bits.
  double next_double();

 private:
  uint64_t state_[4];
};

}  // namespace ballast
