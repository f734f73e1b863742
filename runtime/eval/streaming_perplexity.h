// Streaming perplexity as the StreamingLLM paper evaluates it: one long token
// stream decoded one token at a time through the session's cache; the
// negative log-likelihood of token t+1 is read from the logits after token t.
// Nothing is batched, so every token sees exactly the cache a streaming
// deployment would give it (sinks + window, or whatever the mode keeps).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "platform/status.h"
#include "runtime/engine/session.h"

namespace ballast {

// -log softmax(logits)[target], computed in double (max-subtracted
// log-sum-exp). logits: [n_vocab] f32.
double token_nll(const float *logits, uint32_t n_vocab, int32_t target);

struct PerplexitySegment {
  uint64_t first_scored = 0;  // index (among scored tokens) of this segment's first token
  uint64_t tokens = 0;        // tokens scored in this segment
  double nll_sum = 0;         // sum of -log p (nats)
  double seconds = 0;         // wall time spent decoding this segment's tokens

  double mean_nll() const { return tokens > 0 ? nll_sum / static_cast<double>(tokens) : 0.0; }
  double perplexity() const;  // exp(mean_nll)
  double tokens_per_second() const { return seconds > 0 ? static_cast<double>(tokens) / seconds : 0.0; }
};

struct PerplexityResult {
  uint64_t tokens_fed = 0;     // prefix + stream tokens decoded through the cache
  uint64_t tokens_scored = 0;  // stream tokens whose NLL was taken (stream length - 1)
  double nll_sum = 0;
  double seconds = 0;
  std::vector<PerplexitySegment> segments;  // in stream order; sums equal the totals

  double mean_nll() const { return tokens_scored > 0 ? nll_sum / static_cast<double>(tokens_scored) : 0.0; }
  double perplexity() const;
  double tokens_per_second() const { return seconds > 0 ? static_cast<double>(tokens_scored) / seconds : 0.0; }
};

struct PerplexityOptions {
  uint64_t segment_tokens = 0;  // scored tokens per segment; 0 = one segment
  // Called after every `progress_every` scored tokens and at the end:
  // (scored so far, total to score, seconds so far).
  std::function<void(uint64_t, uint64_t, double)> progress;
  uint64_t progress_every = 256;
  // Called once per finished segment, in order, with its 0-based index (e.g.
  // to append it to a CSV as the run goes, so a stopped run keeps its rows).
  std::function<void(size_t, const PerplexitySegment &)> on_segment;
};

// Feeds `prefix` (not scored: e.g. newline tokens used as sinks), then
// stream[0], then scores stream[t] from the logits after stream[t-1] and
// feeds it, for t = 1 .. n-1. The session should be fresh (nothing fed).
// Errors: a stream of fewer than 2 tokens (invalid_argument); feed() errors.
Result<PerplexityResult> streaming_perplexity(Session &session, const std::vector<int32_t> &prefix,
                                              const int32_t *stream, uint64_t n, const PerplexityOptions &options);

// The stream `ids` repeated until it is `total` tokens long; the first copy
// is kept whole, later copies drop the leading BOS if `bos_id` >= 0 starts it.
std::vector<int32_t> loop_tokens(const std::vector<int32_t> &ids, uint64_t total, int32_t bos_id);

}  // namespace ballast
