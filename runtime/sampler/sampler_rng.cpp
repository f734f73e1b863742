#include "runtime/sampler/sampler_rng.h"

namespace ballast {
namespace {

uint64_t rotate_left(uint64_t value, int bits) { return (value << bits) | (value >> (64 - bits)); }

// splitmix64: spreads a 64-bit seed over the 256-bit state (never all zero).
uint64_t splitmix64_next(uint64_t *counter) {
  uint64_t z = (*counter += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

void SamplerRng::reseed(uint64_t seed) {
  uint64_t counter = seed;
  for (uint64_t &word : state_) word = splitmix64_next(&counter);
}

uint64_t SamplerRng::next_u64() {
  const uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

double SamplerRng::next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

}  // namespace ballast
