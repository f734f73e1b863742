#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/tokenizer/stream_detokenizer.h"
#include "models/tokenizer/unicode.h"
#include "tests/tokenizer/test_vocabs.h"

using namespace ballast;
using namespace ballast::test;

namespace {

const std::string kMixed = "h\xC3\xA9llo \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80!";  // 1-, 2-, 3-, 4-byte characters

// True if `s` is whole, valid UTF-8 characters only.
bool is_complete_utf8(const std::string &s) {
  size_t offset = 0;
  while (offset < s.size()) {
    const size_t before = offset;
    const uint32_t cp = utf8_decode_one(s, &offset);
    if (cp == kReplacementChar && s.compare(before, 3, "\xEF\xBF\xBD") != 0) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("stream detokenizer: byte tokens never produce half a character") {
  Vocab v = make_spm_vocab({});
  const Tokenizer tok = make_tokenizer(v);
  StreamDetokenizer stream(tok);
  std::string all;
  for (unsigned char byte : kMixed) {
    std::string chunk;
    stream.push(token_id(v, "<0x" + std::string(1, "0123456789ABCDEF"[byte >> 4]) + std::string(1, "0123456789ABCDEF"[byte & 15]) + ">"), &chunk);
    CHECK(is_complete_utf8(chunk));
    all += chunk;
  }
  stream.flush(&all);
  CHECK(all == kMixed);
}

TEST_CASE("stream detokenizer: a character split at every byte boundary across two tokens") {
  // GPT-2 vocabulary holding, for each split point k, the tokens kMixed[0:k] and kMixed[k:].
  Vocab v = make_bpe_vocab({"h|i"});
  std::vector<std::pair<int32_t, int32_t>> splits;
  for (size_t k = 1; k < kMixed.size(); ++k) {
    int32_t ids[2];
    const std::string parts[2] = {kMixed.substr(0, k), kMixed.substr(k)};
    for (int p = 0; p < 2; ++p) {
      const std::string text = gpt2_text(parts[p]);
      ids[p] = token_id(v, text);
      if (ids[p] < 0) {
        v.tokens.push_back(text);
        v.scores.push_back(0);
        v.types.push_back(TokenType::normal);
        ids[p] = static_cast<int32_t>(v.tokens.size() - 1);
      }
    }
    splits.emplace_back(ids[0], ids[1]);
  }
  const Tokenizer tok = make_tokenizer(v);
  for (size_t k = 1; k < kMixed.size(); ++k) {
    StreamDetokenizer stream(tok);
    std::string first, second, tail;
    stream.push(splits[k - 1].first, &first);
    stream.push(splits[k - 1].second, &second);
    stream.flush(&tail);
    CHECK_MESSAGE(is_complete_utf8(first), "split at " << k);
    CHECK_MESSAGE(is_complete_utf8(second), "split at " << k);
    CHECK(tail.empty());
    CHECK_MESSAGE(first + second == kMixed, "split at " << k);
    // The first output is the longest prefix of whole characters within kMixed[0:k].
    size_t boundary = 0;
    for (size_t offset = 0; offset < k;) {
      utf8_decode_one(kMixed, &offset);
      if (offset <= k) boundary = offset;
    }
    CHECK_MESSAGE(first == kMixed.substr(0, boundary), "split at " << k);
  }
}

TEST_CASE("stream detokenizer: invalid bytes become U+FFFD - an unfinished character is flushed as U+FFFD") {
  Vocab v = make_spm_vocab({});
  const Tokenizer tok = make_tokenizer(v);
  StreamDetokenizer stream(tok);
  std::string out;
  stream.push(token_id(v, "<0xFF>"), &out);  // never valid
  CHECK(out == "\xEF\xBF\xBD");
  out.clear();
  stream.push(token_id(v, "<0xE4>"), &out);   // lead of a 3-byte character
  stream.push(token_id(v, "<0x41>"), &out);   // 'A' cannot continue it
  CHECK(out == "\xEF\xBF\xBD" "A");
  out.clear();
  stream.push(token_id(v, "<0xF0>"), &out);
  stream.push(token_id(v, "<0x9F>"), &out);
  CHECK(out.empty());
  stream.flush(&out);
  CHECK(out == "\xEF\xBF\xBD");
  out.clear();
  stream.push(token_id(v, "<0xED>"), &out);  // surrogate range: ED A0 is rejected
  stream.push(token_id(v, "<0xA0>"), &out);
  CHECK(out == "\xEF\xBF\xBD\xEF\xBF\xBD");
  out.clear();
  stream.push(1, &out);  // control token: nothing unless rendered
  CHECK(out.empty());
  StreamDetokenizer rendering(tok, true);
  rendering.push(1, &out);
  CHECK(out == "<s>");
}

TEST_CASE("stream detokenizer: fixed caller buffer - capacity checked") {
  Vocab v = make_spm_vocab({{"\xE2\x96\x81hello", -1.0f}});
  const Tokenizer tok = make_tokenizer(v);
  StreamDetokenizer stream(tok);
  CHECK(stream.max_output_bytes() >= tok.max_piece_bytes());
  std::vector<char> buffer(stream.max_output_bytes());
  size_t written = 99;
  REQUIRE(stream.push(token_id(v, "\xE2\x96\x81hello"), buffer.data(), buffer.size(), &written).is_ok());
  CHECK(std::string(buffer.data(), written) == " hello");
  CHECK_FALSE(stream.push(3, buffer.data(), 2, &written).is_ok());
  CHECK(written == 0);
  REQUIRE(stream.flush(buffer.data(), buffer.size(), &written).is_ok());
  CHECK(written == 0);
}
