#include "runtime/stream/transcript_line.h"

#include <cstring>

namespace ballast {
namespace {

// Length of a valid UTF-8 sequence at p (at most `left` bytes), 0 if invalid.
size_t valid_utf8_length(const unsigned char *p, size_t left) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len = 0;
  uint32_t min_cp = 0, cp = 0;
  if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min_cp = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min_cp = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min_cp = 0x10000; }
  else return 0;
  if (len > left) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  // C1 controls (U+0080..U+009F) are dropped like C0 ones: report as invalid.
  if (cp >= 0x80 && cp <= 0x9F) return 0;
  return len;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses "[a --> b]" at the start of s; returns the bytes consumed or 0.
size_t parse_timestamp_prefix(const char *s, size_t n, double *start, double *end) {
  if (n < 2 || s[0] != '[') return 0;
  const void *close = std::memchr(s, ']', n < 64 ? n : 64);
  if (close == nullptr) return 0;
  const size_t close_at = static_cast<size_t>(static_cast<const char *>(close) - s);
  const char *arrow = nullptr;
  for (size_t i = 1; i + 3 <= close_at; ++i) {
    if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>') { arrow = s + i; break; }
  }
  if (arrow == nullptr) return 0;
  const char *a = s + 1;
  const char *a_end = arrow;
  while (a < a_end && *a == ' ') ++a;
  while (a_end > a && a_end[-1] == ' ') --a_end;
  const char *b = arrow + 3;
  const char *b_end = s + close_at;
  while (b < b_end && *b == ' ') ++b;
  while (b_end > b && b_end[-1] == ' ') --b_end;
  if (!parse_timestamp_seconds(a, static_cast<size_t>(a_end - a), start)) return 0;
  if (!parse_timestamp_seconds(b, static_cast<size_t>(b_end - b), end)) return 0;
  return close_at + 1;
}

}  // namespace

bool parse_timestamp_seconds(const char *s, size_t n, double *seconds) {
  // Fields separated by ':'; the last may have a fraction after '.' or ','.
  double fields[3] = {0, 0, 0};
  int n_fields = 0;
  size_t i = 0;
  double fraction = 0;
  while (true) {
    if (n_fields == 3 || i >= n || !is_digit(s[i])) return false;
    double value = 0;
    size_t digits = 0;
    while (i < n && is_digit(s[i]) && digits < 6) value = value * 10 + (s[i++] - '0'), ++digits;
    fields[n_fields++] = value;
    if (i == n) break;
    if (s[i] == ':') { ++i; continue; }
    if (s[i] == '.' || s[i] == ',') {
      ++i;
      double scale = 0.1;
      size_t frac_digits = 0;
      while (i < n && is_digit(s[i]) && frac_digits < 9) fraction += (s[i++] - '0') * scale, scale /= 10, ++frac_digits;
      if (i != n || frac_digits == 0) return false;
      break;
    }
    return false;
  }
  if (n_fields < 2) return false;
  double total = 0;
  for (int f = 0; f < n_fields; ++f) total = total * 60 + fields[f];
  *seconds = total + fraction;
  return true;
}

TranscriptLine clean_transcript_line(const char *in, size_t n, char *out, size_t capacity) {
  TranscriptLine line;
  size_t pos = parse_timestamp_prefix(in, n, &line.start_seconds, &line.end_seconds);
  line.has_timestamps = pos > 0;
  size_t written = 0;
  bool pending_space = false;
  const auto *bytes = reinterpret_cast<const unsigned char *>(in);
  while (pos < n) {
    const unsigned char c = bytes[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      pending_space = written > 0;
      ++pos;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      ++line.dropped_bytes;
      ++pos;
      continue;
    }
    size_t len = valid_utf8_length(bytes + pos, n - pos);
    const char *src = in + pos;
    static const char kReplacement[] = "\xEF\xBF\xBD";
    if (len == 0) {
      ++line.replaced_bytes;
      src = kReplacement;
      ++pos;
      len = 3;
    } else {
      pos += len;
    }
    if (written + (pending_space ? 1 : 0) + len > capacity) break;
    if (pending_space) out[written++] = ' ';
    pending_space = false;
    std::memcpy(out + written, src, len);
    written += len;
  }
  line.text_bytes = written;
  line.is_control = written > 1 && out[0] == '#' && written == 8 && std::memcmp(out, "#summary", 8) == 0;
  return line;
}

}  // namespace ballast
