#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/unicode.h"

using namespace ballast;

namespace {

std::vector<std::string> split(PreTokenizerKind kind, const std::string &text) {
  std::vector<uint32_t> cps;
  utf8_decode(text, &cps);
  std::vector<size_t> lengths;
  pre_tokenize(kind, cps, &lengths);
  std::vector<std::string> pieces;
  size_t begin = 0;
  for (size_t len : lengths) {
    REQUIRE(len > 0);
    std::string piece;
    for (size_t i = begin; i < begin + len; ++i) utf8_append(cps[i], &piece);
    pieces.push_back(piece);
    begin += len;
  }
  REQUIRE(begin == cps.size());
  return pieces;
}

using Pieces = std::vector<std::string>;

}  // namespace

TEST_CASE("gpt2 split: words keep one leading space - runs of spaces leave the last one") {
  const auto k = PreTokenizerKind::gpt2;
  CHECK(split(k, "Hello world's  end\n") == Pieces{"Hello", " world", "'s", " ", " end", "\n"});
  CHECK(split(k, "I'M 12345 ok!!") == Pieces{"I", "'", "M", " 12345", " ok", "!!"});
  CHECK(split(k, "   ") == Pieces{"   "});
  CHECK(split(k, "a \tb") == Pieces{"a", " ", "\t", "b"});
  CHECK(split(k, "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87") == Pieces{"caf\xC3\xA9", " \xE4\xB8\xAD\xE6\x96\x87"});
  CHECK(split(k, "x\xF0\x9F\x98\x80\xF0\x9F\x98\x80 y") == Pieces{"x", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", " y"});
  CHECK(split(k, "") == Pieces{});
}

TEST_CASE("llama3 split: case-insensitive contractions - digits in threes - newlines grouped") {
  const auto k = PreTokenizerKind::llama3;
  CHECK(split(k, "I'M here") == Pieces{"I", "'M", " here"});
  CHECK(split(k, "12345") == Pieces{"123", "45"});
  CHECK(split(k, "a\n\n b") == Pieces{"a", "\n\n", " b"});
  CHECK(split(k, "x  \n  y") == Pieces{"x", "  \n", " ", " y"});
  CHECK(split(k, "(hello)") == Pieces{"(hello", ")"});
  CHECK(split(k, " ...\n\nnext") == Pieces{" ...\n\n", "next"});
  CHECK(split(k, "\tword") == Pieces{"\tword"});
}

TEST_CASE("qwen2 split: single digits") {
  const auto k = PreTokenizerKind::qwen2;
  CHECK(split(k, "abc 2024!") == Pieces{"abc", " ", "2", "0", "2", "4", "!"});
  CHECK(split(k, "don'T") == Pieces{"don", "'T"});
}

TEST_CASE("smollm split: every digit alone - then gpt2") {
  const auto k = PreTokenizerKind::smollm;
  CHECK(split(k, "ab12 c3") == Pieces{"ab", "1", "2", " c", "3"});
}

TEST_CASE("default split: punctuation runs - gpt2 - digit runs - ASCII digits in threes") {
  const auto k = PreTokenizerKind::default_split;
  CHECK(split(k, "a+=b 1234") == Pieces{"a", "+=", "b", " ", "123", "4"});
  CHECK(split(k, "x`y") == Pieces{"x", "`", "y"});  // '`' is not in the punctuation class
  CHECK(split(k, "12 345678") == Pieces{"12", " ", "345", "678"});
}

TEST_CASE("pre-tokenizer names follow llama.cpp") {
  CHECK(pre_tokenizer_from_name("").value().kind == PreTokenizerKind::default_split);
  CHECK(pre_tokenizer_from_name("gpt-2").value().kind == PreTokenizerKind::gpt2);
  auto llama3 = pre_tokenizer_from_name("llama-bpe");
  REQUIRE(llama3.is_ok());
  CHECK(llama3->kind == PreTokenizerKind::llama3);
  CHECK(llama3->ignore_merges);
  CHECK(llama3->add_bos);
  CHECK(pre_tokenizer_from_name("qwen2").value().kind == PreTokenizerKind::qwen2);
  CHECK_FALSE(pre_tokenizer_from_name("qwen2").value().clean_spaces);
  CHECK(pre_tokenizer_from_name("smollm").value().kind == PreTokenizerKind::smollm);
  // Aliases carry llama.cpp's per-name settings.
  CHECK(pre_tokenizer_from_name("falcon3").value().ignore_merges);
  CHECK_FALSE(pre_tokenizer_from_name("dbrx").value().ignore_merges);
  CHECK(pre_tokenizer_from_name("dbrx").value().kind == PreTokenizerKind::llama3);
  CHECK(pre_tokenizer_from_name("stablelm2").value().clean_spaces);
  CHECK(pre_tokenizer_from_name("starcoder").value().kind == PreTokenizerKind::smollm);
  CHECK_FALSE(pre_tokenizer_from_name("command-r").value().clean_spaces);
  auto bad = pre_tokenizer_from_name("nonsense");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().code() == StatusCode::unsupported);
  CHECK(bad.status().message().find("nonsense") != std::string::npos);
}

TEST_CASE("pre-tokenizers cover any byte soup and stay linear on long runs") {
  std::mt19937 rng(1234);
  const PreTokenizerKind kinds[] = {PreTokenizerKind::default_split, PreTokenizerKind::gpt2, PreTokenizerKind::llama3,
                                    PreTokenizerKind::qwen2, PreTokenizerKind::smollm};
  for (int round = 0; round < 200; ++round) {
    std::string text(rng() % 64, '\0');
    for (char &c : text) c = static_cast<char>(rng() & 0xFF);
    for (PreTokenizerKind kind : kinds) split(kind, text);  // checks coverage and no empty piece
  }
  const auto start = std::chrono::steady_clock::now();
  for (PreTokenizerKind kind : kinds) {
    CHECK(split(kind, std::string(200000, 'a')).size() == 1);
    CHECK(split(kind, std::string(200000, ' ')).size() == 1);
    CHECK(split(kind, std::string(200000, '!')).size() >= 1);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}
