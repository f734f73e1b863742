#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "models/tokenizer/byte_unicode.h"
#include "models/tokenizer/unicode.h"

using namespace ballast;

TEST_CASE("unicode classes come from the generated table") {
  CHECK(unicode_class('a') == kUnicodeLetter);
  CHECK(unicode_class('Z') == kUnicodeLetter);
  CHECK(unicode_class('7') == kUnicodeNumber);
  CHECK(unicode_class('!') == kUnicodePunctuation);
  CHECK(unicode_class('$') == kUnicodeSymbol);
  CHECK(unicode_class('`') == kUnicodeSymbol);
  CHECK(unicode_class(' ') == kUnicodeSeparator);
  CHECK(unicode_class('\n') == kUnicodeControl);
  CHECK(unicode_class(0xE9) == kUnicodeLetter);      // é
  CHECK(unicode_class(0x4E2D) == kUnicodeLetter);    // 中 (inside a First/Last range)
  CHECK(unicode_class(0xAC00) == kUnicodeLetter);    // 가 (Hangul range)
  CHECK(unicode_class(0x0660) == kUnicodeNumber);    // Arabic-indic zero
  CHECK(unicode_class(0x00B2) == kUnicodeNumber);    // superscript two (No)
  CHECK(unicode_class(0x0301) == kUnicodeMark);      // combining acute
  CHECK(unicode_class(0x1F600) == kUnicodeSymbol);   // 😀
  CHECK(unicode_class(0x3002) == kUnicodePunctuation);  // 。
  CHECK(unicode_class(0xE000) == kUnicodeControl);   // private use (Co)
  CHECK(unicode_class(0x0378) == kUnicodeUnassigned);
  CHECK(unicode_class(0x10FFFF) == kUnicodeUnassigned);
  CHECK(unicode_class(0x110000) == kUnicodeUnassigned);
  // Table sanity: sorted, starts at 0.
  CHECK(kUnicodeClassRuns[0].first == 0);
  for (size_t i = 1; i < kUnicodeClassRunCount; ++i) CHECK(kUnicodeClassRuns[i - 1].first < kUnicodeClassRuns[i].first);
}

TEST_CASE("unicode whitespace is the White_Space set") {
  for (uint32_t cp : {0x09u, 0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0x20u, 0x85u, 0xA0u, 0x1680u, 0x2000u, 0x200Au, 0x2028u,
                      0x2029u, 0x202Fu, 0x205Fu, 0x3000u}) {
    CHECK_MESSAGE(unicode_is_whitespace(cp), cp);
  }
  for (uint32_t cp : {0x08u, 0x1Cu, 0x61u, 0x200Bu, 0xFEFFu, 0x180Eu}) CHECK_MESSAGE(!unicode_is_whitespace(cp), cp);
}

TEST_CASE("utf8 decoding replaces each undecodable byte with U+FFFD") {
  auto decode = [](const std::string &s) {
    std::vector<uint32_t> cps;
    utf8_decode(s, &cps);
    return cps;
  };
  CHECK(decode("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80") == std::vector<uint32_t>{'a', 0xE9, 0x4E2D, 0x1F600});
  CHECK(decode("\xFF") == std::vector<uint32_t>{kReplacementChar});
  CHECK(decode("a\x80" "b") == std::vector<uint32_t>{'a', kReplacementChar, 'b'});
  // Truncated 3-byte sequence: lead and continuation each become U+FFFD.
  CHECK(decode("\xE2\x82") == std::vector<uint32_t>{kReplacementChar, kReplacementChar});
  // Like llama.cpp, overlong forms and surrogates are decoded, not rejected.
  CHECK(decode("\xC0\xAF") == std::vector<uint32_t>{0x2F});
  CHECK(decode("\xED\xA0\x80") == std::vector<uint32_t>{0xD800});
  // Past U+10FFFF.
  CHECK(decode("\xF7\xBF\xBF\xBF") == std::vector<uint32_t>{kReplacementChar});
  CHECK(decode(std::string("\0x", 2)) == std::vector<uint32_t>{0, 'x'});
}

TEST_CASE("utf8 encoding round-trips every code point class") {
  for (uint32_t cp : {0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    utf8_append(cp, &s);
    size_t offset = 0;
    CHECK(utf8_decode_one(s, &offset) == cp);
    CHECK(offset == s.size());
  }
  std::string s;
  utf8_append(0x110000, &s);
  CHECK(s == "\xEF\xBF\xBD");
}

TEST_CASE("GPT-2 byte mapping is a bijection onto printable code points") {
  std::set<uint32_t> seen;
  for (int b = 0; b < 256; ++b) {
    const uint32_t cp = byte_to_unicode(static_cast<uint8_t>(b));
    CHECK(seen.insert(cp).second);
    CHECK(unicode_to_byte(cp) == b);
    CHECK_FALSE(unicode_is_whitespace(cp));
  }
  CHECK(byte_to_unicode(' ') == 0x120);   // Ġ
  CHECK(byte_to_unicode('\n') == 0x10A);  // Ċ
  CHECK(byte_to_unicode('a') == 'a');
  CHECK(byte_to_unicode(0xAD) == 0x143);
  CHECK(unicode_to_byte(0x4E2D) == -1);
  CHECK(unicode_to_byte(0x20) == -1);
}
