// One transcript line in, clean text out. Accepts plain lines and
// whisper.cpp-style timestamped lines ("[00:01:02.000 --> 00:01:05.000]  text").
// Whatever the bytes are (invalid UTF-8, NULs, control characters, binary
// junk), the result is valid UTF-8 without control characters: invalid
// sequences become U+FFFD, NUL and other C0/DEL controls are dropped (tab
// becomes a space), runs of spaces collapse, and the ends are trimmed.
// Never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ballast {

struct TranscriptLine {
  size_t text_bytes = 0;        // bytes written to the output buffer
  bool has_timestamps = false;  // the line began with "[start --> end]"
  double start_seconds = 0;     // valid when has_timestamps
  double end_seconds = 0;
  bool is_control = false;      // the cleaned text is a control line ("#summary")
  uint32_t replaced_bytes = 0;  // invalid UTF-8 sequences replaced by U+FFFD
  uint32_t dropped_bytes = 0;   // NUL / control bytes removed
};

// Cleans in[0..n) into out[0..capacity). Output stops (at a character
// boundary) when full: capacity >= 4 * n guarantees nothing is cut (every
// input byte becomes at most 3 output bytes).
TranscriptLine clean_transcript_line(const char *in, size_t n, char *out, size_t capacity);

// Parses "hh:mm:ss.mmm" or "mm:ss.mmm" (whisper.cpp prints the former;
// a comma before the milliseconds is accepted too). Returns false if `s` is
// not a timestamp.
bool parse_timestamp_seconds(const char *s, size_t n, double *seconds);

}  // namespace ballast
