// Unicode helpers for the tokenizers: a permissive UTF-8 decoder that treats
// bad bytes the way llama.cpp does (each undecodable byte becomes U+FFFD),
// UTF-8 encoding, and general-category classes from a generated range table
// (unicode_tables.cpp, made by tools/unicode/gen_unicode_tables.py).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ballast {

// General-category class bits (one per code point; whitespace is separate).
enum UnicodeClass : uint8_t {
  kUnicodeUnassigned = 0x01,   // Cn
  kUnicodeNumber = 0x02,       // \p{N}
  kUnicodeLetter = 0x04,       // \p{L}
  kUnicodeSeparator = 0x08,    // \p{Z}
  kUnicodeMark = 0x10,         // \p{M}
  kUnicodePunctuation = 0x20,  // \p{P}
  kUnicodeSymbol = 0x40,       // \p{S}
  kUnicodeControl = 0x80,      // \p{C}
};

struct UnicodeClassRun {
  uint32_t first;  // first code point of the run
  uint8_t classes;  // UnicodeClass bits
};
extern const UnicodeClassRun kUnicodeClassRuns[];
extern const size_t kUnicodeClassRunCount;

constexpr uint32_t kReplacementChar = 0xFFFD;
constexpr uint32_t kMaxCodepoint = 0x10FFFF;

// Class bits of a code point (code points past U+10FFFF are "unassigned").
uint8_t unicode_class(uint32_t cp);
// Unicode White_Space (tab..CR, space, NEL, NBSP, U+1680, U+2000..U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000): what \s means in the split regexes.
bool unicode_is_whitespace(uint32_t cp);

// Bytes in the UTF-8 sequence that starts with `lead`, from its high nibble
// alone (continuation and invalid bytes count 1; 0xF0..0xFF count 4).
size_t utf8_sequence_length(uint8_t lead);

// Decode one code point at text[*offset] and advance *offset. Invalid or
// truncated sequences yield U+FFFD and advance by one byte. Overlong forms and
// surrogates are accepted (as llama.cpp does); values past U+10FFFF become U+FFFD.
uint32_t utf8_decode_one(std::string_view text, size_t *offset);
// All code points of `text` (appended to *out).
void utf8_decode(std::string_view text, std::vector<uint32_t> *out);
// Append the UTF-8 encoding of `cp` (U+FFFD for values past U+10FFFF).
void utf8_append(uint32_t cp, std::string *out);

}  // namespace ballast
