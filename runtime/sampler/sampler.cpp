#include "runtime/sampler/sampler.h"

#include <algorithm>
#include <cmath>

namespace ballast {

int32_t argmax_f32(const float *x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] > x[best] || (std::isnan(x[best]) && !std::isnan(x[i]))) best = i;
  }
  return static_cast<int32_t>(best);
}

uint64_t Sampler::workspace_bytes(int64_t n_vocab) {
  return n_vocab > 0 ? static_cast<uint64_t>(n_vocab) * (sizeof(float) + sizeof(int32_t)) : 0;
}

Result<Sampler> Sampler::create(const SamplerParams &params, int64_t n_vocab, void *workspace,
                                uint64_t workspace_size) {
  if (n_vocab <= 0 || n_vocab > INT32_MAX) {
    return make_status(StatusCode::invalid_argument, "sampler: n_vocab %lld out of range",
                       static_cast<long long>(n_vocab));
  }
  const uint64_t needed = workspace_bytes(n_vocab);
  if (workspace == nullptr || workspace_size < needed) {
    return make_status(StatusCode::invalid_argument, "sampler: workspace has %llu bytes, needs %llu",
                       static_cast<unsigned long long>(workspace == nullptr ? 0 : workspace_size),
                       static_cast<unsigned long long>(needed));
  }
  if (reinterpret_cast<uintptr_t>(workspace) % alignof(float) != 0) {
    return make_status(StatusCode::invalid_argument, "sampler: workspace is not 4-byte aligned");
  }
  if (std::isnan(params.temperature) || std::isinf(params.temperature)) {
    return make_status(StatusCode::invalid_argument, "sampler: temperature must be finite");
  }
  if (!(params.top_p >= 0.0f && params.top_p <= 1.0f)) {
    return make_status(StatusCode::invalid_argument, "sampler: top_p %g outside [0, 1]", params.top_p);
  }
  if (!(params.min_p >= 0.0f && params.min_p <= 1.0f)) {
    return make_status(StatusCode::invalid_argument, "sampler: min_p %g outside [0, 1]", params.min_p);
  }
  if (!(params.repeat_penalty > 0.0f) || std::isinf(params.repeat_penalty)) {
    return make_status(StatusCode::invalid_argument, "sampler: repeat_penalty %g must be finite and > 0",
                       params.repeat_penalty);
  }
  if (params.repeat_last_n < -1) {
    return make_status(StatusCode::invalid_argument, "sampler: repeat_last_n %d must be >= -1",
                       params.repeat_last_n);
  }
  float *logits = static_cast<float *>(workspace);
  int32_t *ids = reinterpret_cast<int32_t *>(logits + n_vocab);
  return Sampler(params, n_vocab, logits, ids);
}

// Each distinct token in the window is penalised once, however often it
// occurs. ids_ is the identity here; a penalised token's entry is flipped to
// -1 as a "done" mark and restored afterwards, so no extra memory is needed.
void Sampler::apply_repeat_penalty(const int32_t *history, int64_t n_history) {
  const float penalty = params_.repeat_penalty;
  if (penalty == 1.0f || params_.repeat_last_n == 0 || n_history <= 0) return;
  const int64_t window = params_.repeat_last_n < 0 ? n_history : std::min<int64_t>(n_history, params_.repeat_last_n);
  const int32_t *recent = history + (n_history - window);
  for (int64_t i = 0; i < window; ++i) {
    const int32_t token = recent[i];
    if (token < 0 || token >= n_vocab_ || ids_[token] < 0) continue;
    float &logit = logits_[token];
    logit = logit > 0.0f ? logit / penalty : logit * penalty;
    ids_[token] = -1;
  }
  for (int64_t i = 0; i < window; ++i) {
    const int32_t token = recent[i];
    if (token >= 0 && token < n_vocab_) ids_[token] = token;
  }
}

namespace {

// Higher logit first; lower id first on ties (a total order, so results do
// not depend on the sort algorithm).
struct HigherLogitFirst {
  const float *logits;
  bool operator()(int32_t a, int32_t b) const {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  }
};

}  // namespace

int64_t Sampler::apply_top_k(int64_t count) {
  const int64_t k = params_.top_k;
  if (k <= 0 || k >= count) return count;
  std::partial_sort(ids_, ids_ + k, ids_ + count, HigherLogitFirst{logits_});
  return k;
}

int64_t Sampler::apply_top_p(int64_t count, bool *sorted) {
  if (params_.top_p >= 1.0f) return count;
  if (!*sorted) std::sort(ids_, ids_ + count, HigherLogitFirst{logits_});
  *sorted = true;
  const float max_logit = logits_[ids_[0]];
  if (max_logit == -INFINITY) return count;  // no probabilities to accumulate
  double total = 0.0;
  for (int64_t i = 0; i < count; ++i) total += std::exp(static_cast<double>(logits_[ids_[i]] - max_logit));
  const double target = static_cast<double>(params_.top_p) * total;
  double cumulative = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    cumulative += std::exp(static_cast<double>(logits_[ids_[i]] - max_logit));
    if (cumulative >= target) return i + 1;
  }
  return count;
}

int64_t Sampler::apply_min_p(int64_t count, bool sorted) {
  if (params_.min_p <= 0.0f) return count;
  float max_logit = logits_[ids_[0]];
  if (!sorted) {
    for (int64_t i = 1; i < count; ++i) max_logit = std::max(max_logit, logits_[ids_[i]]);
  }
  const float threshold = max_logit + std::log(params_.min_p);
  int64_t kept = 0;  // stable compaction keeps the candidates' order
  for (int64_t i = 0; i < count; ++i) {
    if (logits_[ids_[i]] >= threshold) ids_[kept++] = ids_[i];
  }
  return kept > 0 ? kept : 1;
}

int32_t Sampler::draw(int64_t count) {
  float max_logit = logits_[ids_[0]];
  for (int64_t i = 1; i < count; ++i) max_logit = std::max(max_logit, logits_[ids_[i]]);
  if (max_logit == -INFINITY) return ids_[0];  // nothing has any probability: fall back to the first
  const double inverse_temperature = 1.0 / static_cast<double>(params_.temperature);
  double total = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    total += std::exp((static_cast<double>(logits_[ids_[i]]) - max_logit) * inverse_temperature);
  }
  const double target = rng_.next_double() * total;
  double cumulative = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    cumulative += std::exp((static_cast<double>(logits_[ids_[i]]) - max_logit) * inverse_temperature);
    if (target < cumulative) return ids_[i];
  }
  // Rounding left target at or past the last sum: the last candidate with any weight.
  for (int64_t i = count - 1; i > 0; --i) {
    if (logits_[ids_[i]] != -INFINITY) return ids_[i];
  }
  return ids_[0];
}

int32_t Sampler::sample(const float *logits, const int32_t *history, int64_t n_history) {
  std::copy(logits, logits + n_vocab_, logits_);
  for (int64_t i = 0; i < n_vocab_; ++i) ids_[i] = static_cast<int32_t>(i);
  apply_repeat_penalty(history, n_history);
  if (params_.temperature <= 0.0f) return argmax_f32(logits_, n_vocab_);

  int64_t count = n_vocab_;
  bool sorted = false;
  count = apply_top_k(count);
  if (count < n_vocab_) sorted = true;  // partial_sort left the k kept in order
  count = apply_top_p(count, &sorted);
  count = apply_min_p(count, sorted);
  return draw(count);
}

}  // namespace ballast
