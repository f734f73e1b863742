// Sampling parameters, by value with documented defaults (llama.cpp's
// defaults and meanings, so results are comparable).
#pragma once

#include <cstdint>

namespace ballast {

struct SamplerParams {
  // Softmax temperature applied last, after the filters (see sampler.h).
  // 0 (or below) = greedy: the highest penalised logit, lowest id on ties.
  float temperature = 0.8f;
  // Keep the k highest logits; 0 (or below) = off.
  int32_t top_k = 40;
  // Nucleus: keep the smallest highest-first prefix whose probability
  // (softmax at temperature 1 over the candidates left) reaches top_p; 1.0 = off.
  float top_p = 0.95f;
  // Keep tokens whose probability is at least min_p times the most likely
  // one's (logit >= max logit + ln(min_p)); 0 = off.
  float min_p = 0.05f;
  // Repetition penalty over the last repeat_last_n tokens: each distinct such
  // token's logit is divided by it when > 0, else multiplied by it.
  // 1.0 = off; must be > 0.
  float repeat_penalty = 1.0f;
  // Tokens of history the penalty looks at; 0 = off, -1 = all history given.
  int32_t repeat_last_n = 64;
  // RNG seed (xoshiro256** via splitmix64); the same seed, logits and history
  // give the same tokens on every platform.
  uint64_t seed = 0x5eed;
};

}  // namespace ballast
