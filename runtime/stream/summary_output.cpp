#include "runtime/stream/summary_output.h"

#include <cstdio>
#include <cstring>

namespace ballast {

size_t json_escape(std::string_view text, char *out, size_t capacity) {
  size_t w = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    char esc[8];
    size_t len = 0;
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = static_cast<char>(c); len = 2; }
    else if (c == '\n') { std::memcpy(esc, "\\n", 2); len = 2; }
    else if (c == '\r') { std::memcpy(esc, "\\r", 2); len = 2; }
    else if (c == '\t') { std::memcpy(esc, "\\t", 2); len = 2; }
    else if (c < 0x20 || c == 0x7F) { std::snprintf(esc, sizeof(esc), "\\u%04x", c); len = 6; }
    else if (c >= 0x80) {
      // Copy the whole UTF-8 character or nothing.
      size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
      if (i + n > text.size()) n = text.size() - i;
      if (w + n > capacity) break;
      std::memcpy(out + w, text.data() + i, n);
      w += n;
      i += n - 1;
      continue;
    } else { esc[0] = static_cast<char>(c); len = 1; }
    if (w + len > capacity) break;
    std::memcpy(out + w, esc, len);
    w += len;
  }
  return w;
}

size_t format_summary(SummaryFormat format, const SummaryRecord &r, char *out, size_t capacity) {
  if (capacity < 256) return 0;
  int head = 0;
  if (format == SummaryFormat::jsonl) {
    head = std::snprintf(out, capacity,
                         "{\"t\":%.3f,\"elapsed_s\":%.3f,\"tokens_seen\":%llu,\"summary_index\":%llu,"
                         "\"dropped_lines\":%llu,\"summary\":\"",
                         r.t, r.elapsed_s, static_cast<unsigned long long>(r.tokens_seen),
                         static_cast<unsigned long long>(r.summary_index),
                         static_cast<unsigned long long>(r.dropped_lines));
  } else {
    const long long t = static_cast<long long>(r.t);
    head = std::snprintf(out, capacity, "[summary %llu | t %02lld:%02lld:%02lld | %llu tokens] ",
                         static_cast<unsigned long long>(r.summary_index), t / 3600, (t / 60) % 60, t % 60,
                         static_cast<unsigned long long>(r.tokens_seen));
  }
  if (head < 0 || static_cast<size_t>(head) >= capacity - 8) return 0;
  size_t w = static_cast<size_t>(head);
  const size_t tail = format == SummaryFormat::jsonl ? 3 : 1;  // "}\n or \n
  if (format == SummaryFormat::jsonl) {
    w += json_escape(r.summary, out + w, capacity - w - tail);
    std::memcpy(out + w, "\"}\n", 3);
  } else {
    size_t n = r.summary.size();
    if (n > capacity - w - tail) {
      n = capacity - w - tail;
      while (n > 0 && (static_cast<unsigned char>(r.summary[n]) & 0xC0) == 0x80) --n;
    }
    if (n > 0) std::memcpy(out + w, r.summary.data(), n);
    w += n;
    out[w] = '\n';
  }
  return w + tail;
}

}  // namespace ballast
