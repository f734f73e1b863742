#include "models/tokenizer/byte_unicode.h"

#include "models/tokenizer/unicode.h"

namespace ballast {
namespace {

bool maps_to_itself(uint32_t byte) {
  return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

struct ByteUnicodeTable {
  uint32_t code_point[256];  // byte -> code point
  ByteUnicodeTable() {
    uint32_t next_extra = 0x100;
    for (uint32_t b = 0; b < 256; ++b) code_point[b] = maps_to_itself(b) ? b : next_extra++;
  }
};

const ByteUnicodeTable &table() {
  static const ByteUnicodeTable kTable;
  return kTable;
}

}  // namespace

uint32_t byte_to_unicode(uint8_t byte) { return table().code_point[byte]; }

int32_t unicode_to_byte(uint32_t cp) {
  if (cp < 0x100) return maps_to_itself(cp) ? static_cast<int32_t>(cp) : -1;
  if (cp >= 0x100 + 68) return -1;
  // The extra code points are handed out in byte order to the bytes that do not map to themselves.
  uint32_t index = cp - 0x100;
  for (uint32_t b = 0; b < 256; ++b) {
    if (maps_to_itself(b)) continue;
    if (index == 0) return static_cast<int32_t>(b);
    --index;
  }
  return -1;
}

void append_byte_as_unicode(uint8_t byte, std::string *out) { utf8_append(byte_to_unicode(byte), out); }

}  // namespace ballast
