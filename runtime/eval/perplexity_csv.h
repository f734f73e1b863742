// Per-segment perplexity as CSV, and back. One header line, then one row per
// segment:
//   segment,first_token,tokens,nll,ppl,tok_per_s
// segment: 0-based; first_token: index of the segment's first scored token in
// the stream; tokens: tokens scored; nll: mean -log p (nats); ppl: exp(nll);
// tok_per_s: decode speed over the segment.
#pragma once

#include <string>
#include <vector>

#include "platform/status.h"
#include "runtime/eval/streaming_perplexity.h"

namespace ballast {

std::string perplexity_csv(const PerplexityResult &result);
// The same, piece by piece (header line / one row, each ending in '\n'):
// perplexity_csv() is the header followed by every row.
std::string perplexity_csv_header();
std::string perplexity_csv_row(size_t index, const PerplexitySegment &segment);
Status write_text_file(const std::string &path, const std::string &text);
Result<std::string> read_text_file(const std::string &path);

// Parses perplexity_csv() output (errors name the line and what is wrong).
Result<std::vector<PerplexitySegment>> parse_perplexity_csv(const std::string &text);

}  // namespace ballast
