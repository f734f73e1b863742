// GPT-2's reversible byte <-> code point mapping for byte-level BPE: bytes
// that are printable Latin-1 ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) map
// to themselves; the other 68 bytes map, in byte order, to U+0100, U+0101, ...
// so every byte string becomes printable text without spaces.
#pragma once

#include <cstdint>
#include <string>

namespace ballast {

// Code point that stands for `byte`.
uint32_t byte_to_unicode(uint8_t byte);
// Byte that `cp` stands for, or -1 when cp is not in the mapping.
int32_t unicode_to_byte(uint32_t cp);
// Append the UTF-8 text that stands for `byte`.
void append_byte_as_unicode(uint8_t byte, std::string *out);

}  // namespace ballast
