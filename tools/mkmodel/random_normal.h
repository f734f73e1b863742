// Deterministic random numbers for generated weights: splitmix64 for bits,
// Box-Muller for normals. Seeded per tensor (seed + tensor name), so each
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

// Standard normal samples, two per Box-Muller step.
class NormalSampler {
 public:
  explicit NormalSampler(uint64_t seed) : bits_(seed) {}
  float next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const uint64_t r = bits_.next();
    // Two 32-bit uniforms; u1 in (0, 1] so log(u1) is finite.
    const float u1 = (static_cast<float>(r >> 40) + 1.0f) * (1.0f / 16777216.0f);
    const float u2 = static_cast<float>(r & 0xffffffu) * (1.0f / 16777216.0f);
    const float radius = std::sqrt(-2.0f * std::log(u1));
    const float angle = 6.2831853071795864f * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
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

}  // namespace mkmodel
}  // namespace ballast
