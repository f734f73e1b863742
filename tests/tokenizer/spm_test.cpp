#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tests/tokenizer/test_vocabs.h"

using namespace ballast;
using namespace ballast::test;

namespace {
const std::string kSp = "\xE2\x96\x81";  // U+2581, SentencePiece's space
}

TEST_CASE("spm merges the highest-scoring pair first") {
  // "▁ab": pairs "▁a" (-2) and "ab" (-1); "ab" wins, then "▁"+"ab" = "▁ab".
  Vocab v = make_spm_vocab({{kSp + "a", -2.0f}, {"ab", -1.0f}, {kSp + "ab", -3.0f}, {kSp, -5.0f}});
  const Tokenizer tok = make_tokenizer(v);
  CHECK(encode(tok, "ab") == std::vector<int32_t>{token_id(v, kSp + "ab")});
  // Without "▁ab" the result is "▁" "ab" (not "▁a" "b": "ab" scored higher).
  Vocab v2 = make_spm_vocab({{kSp + "a", -2.0f}, {"ab", -1.0f}, {kSp, -5.0f}, {"b", -6.0f}});
  const Tokenizer tok2 = make_tokenizer(v2);
  CHECK(encode(tok2, "ab") == std::vector<int32_t>{token_id(v2, kSp), token_id(v2, "ab")});
  // Swap the scores: "▁a" then "b".
  Vocab v3 = make_spm_vocab({{kSp + "a", -1.0f}, {"ab", -2.0f}, {kSp, -5.0f}, {"b", -6.0f}});
  const Tokenizer tok3 = make_tokenizer(v3);
  CHECK(encode(tok3, "ab") == std::vector<int32_t>{token_id(v3, kSp + "a"), token_id(v3, "b")});
}

TEST_CASE("spm breaks score ties leftmost first") {
  Vocab v = make_spm_vocab({{"aa", -1.0f}, {"a", -2.0f}, {kSp, -3.0f}});
  v.add_space_prefix = false;
  const Tokenizer tok = make_tokenizer(v);
  CHECK(encode(tok, "aaa") == std::vector<int32_t>{token_id(v, "aa"), token_id(v, "a")});
}

TEST_CASE("spm falls back to byte tokens - then to <unk>") {
  Vocab v = make_spm_vocab({{kSp, -1.0f}, {"a", -1.0f}});
  const Tokenizer tok = make_tokenizer(v);
  // "é" is not a token: its two UTF-8 bytes as <0xC3> <0xA9>.
  CHECK(encode(tok, "a\xC3\xA9") ==
        std::vector<int32_t>{token_id(v, kSp), token_id(v, "a"), token_id(v, "<0xC3>"), token_id(v, "<0xA9>")});
  // Invalid UTF-8 goes through byte tokens too.
  CHECK(encode(tok, "\xFF") == std::vector<int32_t>{token_id(v, kSp), token_id(v, "<0xFF>")});
  Vocab no_bytes = make_spm_vocab({{kSp, -1.0f}, {"a", -1.0f}}, /*with_bytes=*/false);
  const Tokenizer tok2 = make_tokenizer(no_bytes);
  CHECK(encode(tok2, "a\xC3\xA9") == std::vector<int32_t>{token_id(no_bytes, kSp), token_id(no_bytes, "a"), 0, 0});
}

TEST_CASE("spm adds BOS/EOS as the flags say and a space prefix after specials") {
  Vocab v = make_spm_vocab({{kSp, -1.0f}, {"a", -1.0f}, {"b", -1.0f}, {kSp + "a", -0.5f}, {kSp + "b", -0.5f}});
  v.add_eos = true;
  const Tokenizer tok = make_tokenizer(v);
  const int32_t sa = token_id(v, kSp + "a"), sb = token_id(v, kSp + "b");
  CHECK(encode(tok, "a", true) == std::vector<int32_t>{1, sa, 2});
  CHECK(encode(tok, "a", false) == std::vector<int32_t>{sa});
  CHECK(encode(tok, "", true) == std::vector<int32_t>{1, 2});
  // parse_special: "</s>" is the control token, and the text after it gets a space prefix again.
  CHECK(encode(tok, "a</s>b", false, true) == std::vector<int32_t>{sa, 2, sb});
  // Without parse_special the control text is ordinary text (here: bytes).
  const auto plain = encode(tok, "</s>", false, false);
  CHECK(plain.size() > 1);
  CHECK(std::find(plain.begin(), plain.end(), 2) == plain.end());
}

TEST_CASE("spm decode turns U+2581 into spaces - byte tokens into bytes - drops the added space") {
  Vocab v = make_spm_vocab({{kSp, -1.0f}, {"a", -1.0f}, {kSp + "a", -0.5f}});
  const Tokenizer tok = make_tokenizer(v);
  CHECK(tok.token_to_piece(token_id(v, kSp + "a")) == " a");
  CHECK(tok.token_to_piece(token_id(v, "<0x41>")) == "A");
  CHECK(tok.token_to_piece(1).empty());  // control, not rendered
  CHECK(tok.token_to_piece(1, true) == "<s>");
  CHECK(tok.token_to_piece(-1).empty());
  CHECK(tok.token_to_piece(1 << 20).empty());
  const std::string text = "a a\xC3\xA9 \xF0\x9F\x98\x80";
  CHECK(tok.decode(encode(tok, text)) == text);
  CHECK(tok.decode(encode(tok, text, true)) == " " + text);  // llama.cpp keeps it after BOS
}

TEST_CASE("spm encoding of one long repeated character is not quadratic") {
  Vocab v = make_spm_vocab({{kSp, -1.0f}, {"a", -1.0f}, {"aa", -0.5f}, {"aaaa", -0.25f}});
  v.add_space_prefix = false;
  const Tokenizer tok = make_tokenizer(v);
  const auto start = std::chrono::steady_clock::now();
  const auto ids = encode(tok, std::string(400000, 'a'));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(ids.size() == 100000);
  for (int32_t id : ids) CHECK_EQ(id, token_id(v, "aaaa"));
}
