#include "runtime/eval/streaming_perplexity.h"

#include <cmath>

#include "platform/monotonic_clock.h"

namespace ballast {

double token_nll(const float *logits, uint32_t n_vocab, int32_t target) {
  double max_logit = logits[0];
  for (uint32_t i = 1; i < n_vocab; ++i) max_logit = std::fmax(max_logit, double{logits[i]});
  double sum = 0;
  for (uint32_t i = 0; i < n_vocab; ++i) sum += std::exp(double{logits[i]} - max_logit);
  return -(double{logits[target]} - max_logit - std::log(sum));
}

double PerplexitySegment::perplexity() const { return std::exp(mean_nll()); }
double PerplexityResult::perplexity() const { return std::exp(mean_nll()); }

Result<PerplexityResult> streaming_perplexity(Session &session, const std::vector<int32_t> &prefix,
                                              const int32_t *stream, uint64_t n, const PerplexityOptions &options) {
  if (n < 2) {
    return make_status(StatusCode::invalid_argument, "perplexity needs a stream of at least 2 tokens, got %llu",
                       static_cast<unsigned long long>(n));
  }
  const uint32_t n_vocab = session.model().config.n_vocab;
  for (uint64_t t = 0; t < n; ++t) {
    if (stream[t] < 0 || static_cast<uint32_t>(stream[t]) >= n_vocab) {
      return make_status(StatusCode::invalid_argument, "token %llu: id %d is outside the vocabulary [0, %u)",
                         static_cast<unsigned long long>(t), stream[t], n_vocab);
    }
  }
  PerplexityResult result;
  const uint64_t to_score = n - 1;
  const uint64_t segment_size = options.segment_tokens > 0 ? options.segment_tokens : to_score;
  const uint64_t progress_every = options.progress_every > 0 ? options.progress_every : 256;
  const Stopwatch total_clock;

  for (int32_t id : prefix) {
    BALLAST_RETURN_IF_ERROR(session.feed(&id, 1));
    ++result.tokens_fed;
  }
  BALLAST_RETURN_IF_ERROR(session.feed(&stream[0], 1));
  ++result.tokens_fed;

  PerplexitySegment segment;
  Stopwatch segment_clock;
  for (uint64_t t = 1; t < n; ++t) {
    const double nll = token_nll(session.logits(), n_vocab, stream[t]);
    segment.nll_sum += nll;
    segment.tokens += 1;
    result.nll_sum += nll;
    result.tokens_scored += 1;
    // The last token's own logits are never used: no need to decode it.
    if (t + 1 < n) {
      BALLAST_RETURN_IF_ERROR(session.feed(&stream[t], 1));
      ++result.tokens_fed;
    }
    if (segment.tokens == segment_size || t + 1 == n) {
      segment.seconds = segment_clock.elapsed_seconds();
      result.segments.push_back(segment);
      if (options.on_segment) options.on_segment(result.segments.size() - 1, result.segments.back());
      segment = PerplexitySegment{};
      segment.first_scored = result.tokens_scored;
      segment_clock.restart();
    }
    if (options.progress && (result.tokens_scored % progress_every == 0 || t + 1 == n)) {
      options.progress(result.tokens_scored, to_score, total_clock.elapsed_seconds());
    }
  }
  result.seconds = total_clock.elapsed_seconds();
  return result;
}

std::vector<int32_t> loop_tokens(const std::vector<int32_t> &ids, uint64_t total, int32_t bos_id) {
  std::vector<int32_t> out;
  if (ids.empty()) return out;
  const size_t body_start = (bos_id >= 0 && ids[0] == bos_id && ids.size() > 1) ? 1 : 0;
  out.reserve(total);
  for (size_t i = 0; i < ids.size() && out.size() < total; ++i) out.push_back(ids[i]);
  while (out.size() < total) {
    for (size_t i = body_start; i < ids.size() && out.size() < total; ++i) out.push_back(ids[i]);
  }
  return out;
}

}  // namespace ballast
