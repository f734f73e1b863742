// Token sampler: repetition penalty, top-k, top-p, min-p, temperature, seeded
// RNG. All per-call memory comes from a caller-owned workspace (the memory
// plan's `sampler` region, n_vocab x 8 bytes); sample() never allocates.
//
// Order of operations in sample() (llama.cpp's default chain, minus the
// samplers Ballast lacks):
//   1. copy logits; apply the repetition penalty to the distinct tokens among
//      the last repeat_last_n of `history`
//   2. temperature <= 0: return the argmax (greedy; lowest id on ties)
//   3. top-k: keep the k highest logits (ties: lower id first)
//   4. top-p: softmax at temperature 1 over the candidates, keep the highest-
//      first prefix whose cumulative probability reaches top_p (at least 1)
//   5. min-p: keep candidates with logit >= max logit + ln(min_p)
//   6. temperature: probabilities softmax(logit / temperature) over the
//      candidates left, and one draw from them with the RNG.
// Filters 3-5 see temperature-1 probabilities, as in llama.cpp.
//
// Thread safety: one sampler per session, used by one thread at a time.
#pragma once

#include <cstdint>

#include "platform/status.h"
#include "runtime/sampler/sampler_params.h"
#include "runtime/sampler/sampler_rng.h"

namespace ballast {

class Sampler {
 public:
  // Bytes of workspace a sampler over n_vocab tokens needs: candidate logits
  // f32 [n_vocab] + candidate ids i32 [n_vocab] = n_vocab * 8.
  static uint64_t workspace_bytes(int64_t n_vocab);

  // `workspace`: at least workspace_bytes(n_vocab) bytes, 4-byte aligned,
  // owned by the caller and alive as long as the sampler. Fails
  // (invalid_argument) on a bad vocabulary size, a short or misaligned
  // workspace, or parameters out of range (NaN, negative top_p/min_p,
  // top_p > 1, repeat_penalty <= 0, repeat_last_n < -1).
  static Result<Sampler> create(const SamplerParams &params, int64_t n_vocab, void *workspace,
                                uint64_t workspace_size);

  // logits: [n_vocab] f32, not modified; finite or -inf.
  // history: the tokens so far, oldest first (may be null when n_history is 0);
  //   ids outside [0, n_vocab) are ignored.
  // Returns a token id in [0, n_vocab).
  int32_t sample(const float *logits, const int32_t *history, int64_t n_history);

  // Restart the random sequence (as if created with this seed).
  void reseed(uint64_t seed) { rng_.reseed(seed); }
  const SamplerParams &params() const { return params_; }
  int64_t n_vocab() const { return n_vocab_; }

 private:
  Sampler(const SamplerParams &params, int64_t n_vocab, float *logits, int32_t *ids)
      : params_(params), n_vocab_(n_vocab), logits_(logits), ids_(ids), rng_(params.seed) {}

  void apply_repeat_penalty(const int32_t *history, int64_t n_history);
  int64_t apply_top_k(int64_t count);
  int64_t apply_top_p(int64_t count, bool *sorted);
  int64_t apply_min_p(int64_t count, bool sorted);
  int32_t draw(int64_t count);

  SamplerParams params_;
  int64_t n_vocab_;
  float *logits_;  // [n_vocab] working logits, indexed by token id
  int32_t *ids_;   // [n_vocab] candidate token ids; the first `count` are live
  SamplerRng rng_;
};

// Index of the largest of x[0..n) (the first on ties; NaN never wins unless all are).
int32_t argmax_f32(const float *x, int64_t n);

}  // namespace ballast
