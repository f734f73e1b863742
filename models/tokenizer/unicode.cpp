#include "models/tokenizer/unicode.h"

namespace ballast {

uint8_t unicode_class(uint32_t cp) {
  if (cp > kMaxCodepoint) return kUnicodeUnassigned;
  // Binary search for the last run whose first code point is <= cp.
  size_t lo = 0, hi = kUnicodeClassRunCount;
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (kUnicodeClassRuns[mid].first <= cp) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return kUnicodeClassRuns[lo].classes;
}

bool unicode_is_whitespace(uint32_t cp) {
  if (cp <= 0x7F) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

size_t utf8_sequence_length(uint8_t lead) {
  static const uint8_t kLengthByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengthByHighNibble[lead >> 4];
}

static bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

uint32_t utf8_decode_one(std::string_view text, size_t *offset) {
  const size_t at = *offset;
  const size_t left = text.size() - at;
  const uint8_t b0 = static_cast<uint8_t>(text[at]);
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[at + i]); };
  size_t length = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) {
    length = 1;
    cp = b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    if (left >= 2 && is_continuation(byte(1))) {
      length = 2;
      cp = (uint32_t(b0 & 0x1F) << 6) | (byte(1) & 0x3F);
    }
  } else if ((b0 & 0xF0) == 0xE0) {
    if (left >= 3 && is_continuation(byte(1)) && is_continuation(byte(2))) {
      length = 3;
      cp = (uint32_t(b0 & 0x0F) << 12) | (uint32_t(byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    }
  } else if ((b0 & 0xF8) == 0xF0) {
    if (left >= 4 && is_continuation(byte(1)) && is_continuation(byte(2)) && is_continuation(byte(3))) {
      length = 4;
      cp = (uint32_t(b0 & 0x07) << 18) | (uint32_t(byte(1) & 0x3F) << 12) | (uint32_t(byte(2) & 0x3F) << 6) |
           (byte(3) & 0x3F);
    }
  }
  if (length == 0) {  // lone continuation byte, 0xF8..0xFF, or truncated sequence
    *offset = at + 1;
    return kReplacementChar;
  }
  *offset = at + length;
  return cp > kMaxCodepoint ? kReplacementChar : cp;
}

void utf8_decode(std::string_view text, std::vector<uint32_t> *out) {
  size_t offset = 0;
  while (offset < text.size()) out->push_back(utf8_decode_one(text, &offset));
}

void utf8_append(uint32_t cp, std::string *out) {
  if (cp > kMaxCodepoint) cp = kReplacementChar;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace ballast
