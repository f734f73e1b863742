#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tests/tokenizer/test_vocabs.h"

using namespace ballast;
using namespace ballast::test;

TEST_CASE("bpe applies merges by rank - lowest first") {
  Vocab v = make_bpe_vocab({"h|e", "l|l", "he|ll", "hell|o", " |w", " w|o"});
  const Tokenizer tok = make_tokenizer(v);
  CHECK(encode(tok, "hello") == std::vector<int32_t>{token_id(v, "hello")});
  CHECK(encode(tok, "hello wo") == std::vector<int32_t>{token_id(v, "hello"), token_id(v, gpt2_text(" wo"))});
  // "b c" has a lower rank than "a b": "abc" -> "a" "bc".
  Vocab v2 = make_bpe_vocab({"b|c", "a|b"});
  const Tokenizer tok2 = make_tokenizer(v2);
  CHECK(encode(tok2, "abc") == std::vector<int32_t>{'a', token_id(v2, "bc")});
  CHECK(encode(tok2, "ab") == std::vector<int32_t>{token_id(v2, "ab")});
}

TEST_CASE("bpe breaks rank ties leftmost first and never merges across pre-tokens") {
  Vocab v = make_bpe_vocab({"a|a"});
  const Tokenizer tok = make_tokenizer(v);
  CHECK(encode(tok, "aaa") == std::vector<int32_t>{token_id(v, "aa"), 'a'});
  // " a" is its own pre-token: the space (byte 0x20 -> id 0x20) stays alone.
  Vocab v2 = make_bpe_vocab({"a| "});  // would merge "a" + "Ġ" if pieces were not split
  const Tokenizer tok2 = make_tokenizer(v2);
  CHECK(encode(tok2, "a a") == std::vector<int32_t>{'a', ' ', 'a'});
}

TEST_CASE("bpe byte-level: every byte string round-trips - invalid UTF-8 becomes U+FFFD") {
  Vocab v = make_bpe_vocab({"t|h", "th|e"});
  const Tokenizer tok = make_tokenizer(v);
  std::string all_valid;
  for (const char *s : {"the cat\n", "caf\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\t\r\n  x"}) all_valid += s;
  CHECK(tok.decode(encode(tok, all_valid)) == all_valid);
  // llama.cpp decodes text to code points first: each bad byte becomes U+FFFD (EF BF BD).
  CHECK(encode(tok, "\xFF") == std::vector<int32_t>{0xEF, 0xBF, 0xBD});
  CHECK(tok.decode(encode(tok, "a\xFF" "b")) == "a\xEF\xBF\xBD" "b");
  CHECK(tok.token_to_piece(' ') == " ");
  CHECK(tok.token_to_piece('\n') == "\n");
  CHECK(tok.token_to_piece(0) == std::string(1, '\0'));
}

TEST_CASE("bpe special tokens: parsed only with parse_special - BOS when the flag says") {
  Vocab v = make_bpe_vocab({"h|i"});
  const int32_t eot = static_cast<int32_t>(v.tokens.size() - 1);
  const Tokenizer tok = make_tokenizer(v);
  CHECK(tok.eot_id() == eot);  // found by its text, as llama.cpp does
  CHECK(tok.is_end_of_generation(eot));
  CHECK_FALSE(tok.is_end_of_generation(token_id(v, "hi")));
  CHECK_FALSE(tok.is_end_of_generation(-1));
  CHECK(encode(tok, "hi<|endoftext|>hi", false, true) ==
        std::vector<int32_t>{token_id(v, "hi"), eot, token_id(v, "hi")});
  const auto plain = encode(tok, "hi<|endoftext|>", false, false);
  CHECK(std::find(plain.begin(), plain.end(), eot) == plain.end());
  CHECK(encode(tok, "hi", true) == std::vector<int32_t>{token_id(v, "hi")});  // gpt-2: no BOS
  Vocab with_bos = make_bpe_vocab({"h|i"});
  with_bos.add_bos = true;
  const Tokenizer tok2 = make_tokenizer(with_bos);
  CHECK(encode(tok2, "hi", true) == std::vector<int32_t>{eot, token_id(with_bos, "hi")});
  CHECK(tok.token_to_piece(eot).empty());
  CHECK(tok.token_to_piece(eot, true) == "<|endoftext|>");
}

TEST_CASE("bpe user-defined tokens are matched even without parse_special") {
  Vocab v = make_bpe_vocab({"h|i"});
  v.tokens.push_back("<think>");
  v.scores.push_back(0);
  v.types.push_back(TokenType::user_defined);
  const int32_t think = static_cast<int32_t>(v.tokens.size() - 1);
  const Tokenizer tok = make_tokenizer(v);
  CHECK(encode(tok, "<think>hi", false, false) == std::vector<int32_t>{think, token_id(v, "hi")});
  CHECK(tok.token_to_piece(think) == "<think>");
}

TEST_CASE("bpe llama3 pre-tokenizer emits whole-word tokens without merges (ignore_merges)") {
  Vocab v = make_bpe_vocab({"h|i"}, "llama-bpe");
  v.tokens.push_back("xyz");  // a token no merge produces
  v.scores.push_back(0);
  v.types.push_back(TokenType::normal);
  const Tokenizer tok = make_tokenizer(v);
  CHECK(encode(tok, "xyz") == std::vector<int32_t>{static_cast<int32_t>(v.tokens.size() - 1)});
  Vocab g = make_bpe_vocab({"h|i"}, "gpt-2");
  g.tokens.push_back("xyz");
  g.scores.push_back(0);
  g.types.push_back(TokenType::normal);
  const Tokenizer tok2 = make_tokenizer(g);
  CHECK(encode(tok2, "xyz") == std::vector<int32_t>{'x', 'y', 'z'});
}

TEST_CASE("bpe decode cleans spaces like llama.cpp for gpt2 - not for qwen2") {
  Vocab g = make_bpe_vocab({"h|i"}, "gpt-2");
  const Tokenizer gpt2 = make_tokenizer(g);
  CHECK(gpt2.decode(encode(gpt2, "hi , there 's")) == "hi, there's");
  Vocab q = make_bpe_vocab({"h|i"}, "qwen2");
  const Tokenizer qwen = make_tokenizer(q);
  CHECK(qwen.decode(encode(qwen, "hi , there 's")) == "hi , there 's");
}

TEST_CASE("bpe hostile input: NUL bytes - long runs - random bytes never fail") {
  Vocab v = make_bpe_vocab({"a|a", "aa|aa", " | "}, "qwen2");
  const Tokenizer tok = make_tokenizer(v);
  const std::string with_nul("a\0b\0", 4);
  CHECK(tok.decode(encode(tok, with_nul)) == with_nul);
  const auto start = std::chrono::steady_clock::now();
  const auto ids = encode(tok, std::string(400000, 'a'));
  CHECK(ids.size() == 100000);
  CHECK(encode(tok, std::string(100000, ' ')).size() <= 50000);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  uint32_t state = 99;
  for (int round = 0; round < 300; ++round) {
    std::string text(round % 50, '\0');
    for (char &c : text) {
      state = state * 1664525u + 1013904223u;
      c = static_cast<char>(state >> 24);
    }
    std::vector<int32_t> out;
    REQUIRE(tok.encode(text, true, true, &out).is_ok());
    for (int32_t id : out) CHECK((id >= 0 && static_cast<size_t>(id) < tok.n_vocab()));
  }
}
