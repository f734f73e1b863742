// Formats one summary for output, into a caller-owned buffer (no allocation):
//   jsonl: {"t":12.5,"elapsed_s":3.1,"tokens_seen":1234,"summary_index":2,
//           "dropped_lines":0,"summary":"..."}
//   text:  [summary 2 | t 00:00:12 | 1234 tokens] ...
// "t" is the end time of the last timestamped transcript line when the input
// has whisper.cpp timestamps, else the seconds since the stream started.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ballast {

enum class SummaryFormat { text, jsonl };

struct SummaryRecord {
  double t = 0;
  double elapsed_s = 0;
  uint64_t tokens_seen = 0;
  uint64_t summary_index = 0;
  uint64_t dropped_lines = 0;
  std::string_view summary;
};

// Writes the record and a trailing '\n'; returns the bytes written (the
// summary is cut at a character boundary if the buffer is too small; 0 only
// if capacity < 256).
size_t format_summary(SummaryFormat format, const SummaryRecord &record, char *out, size_t capacity);

// JSON string body escaping of text (valid UTF-8 in) into out; returns bytes
// written, never splitting an escape or a UTF-8 character.
size_t json_escape(std::string_view text, char *out, size_t capacity);

}  // namespace ballast
