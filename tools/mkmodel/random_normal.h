// Deterministic random numbers for generated weights: splitmix64 for bits,
// the polar Box-Muller method for normals. Seeded per tensor (seed + tensor name), so each
// tensor's values do not depend on which other tensors a model has.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace ballast {
namespace mkmodel {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Standard normal samples, two per step of Marsaglia's polar form of
// Box-Muller (no trigonometry: one log and one sqrt per pair).
class NormalSampler {
 public:
  explicit NormalSampler(uint64_t seed) : bits_(seed) {}
  float next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    float u, v, s;
    do {  // a uniform point in the unit disc (accepted ~79% of the time)
      const uint64_t r = bits_.next();
      u = static_cast<float>(r >> 40) * (1.0f / 8388608.0f) - 1.0f;        // 24 bits -> [-1, 1)
      v = static_cast<float>(r & 0xffffffu) * (1.0f / 8388608.0f) - 1.0f;  // 24 bits -> [-1, 1)
      s = u * u + v * v;
    } while (s >= 1.0f || s == 0.0f);
    const float factor = std::sqrt(-2.0f * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

 private:
  SplitMix64 bits_;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

// Seed for one tensor: FNV-1a of its name mixed with the model seed.
inline uint64_t tensor_seed(uint64_t model_seed, const std::string &tensor_name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : tensor_name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  SplitMix64 mix(h ^ (model_seed * 0x9e3779b97f4a7c15ull));
  return mix.next();
}

// Seed for one row of a tensor. The row index goes through the splitmix64
// finaliser, so rows start at unrelated points of the generator's sequence
// (seeding with tensor_seed + row * step, splitmix64's own increment, made row
// r+1 the stream of row r shifted by one draw: rows repeated).
inline uint64_t row_seed(uint64_t tensor_seed_value, uint64_t row) {
  SplitMix64 mix(tensor_seed_value ^ (row * 0xd1b54a32d192ed03ull));
  return mix.next();
}

}  // namespace mkmodel
}  // namespace ballast
