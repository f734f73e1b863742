#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/gguf/gguf_reader.h"
#include "models/gguf/gguf_writer.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/vocab.h"

using namespace ballast;

namespace {

// A GGUF file in memory; the parsed GgufFile views point into `bytes`.
struct MemoryGguf {
  std::vector<uint8_t> bytes;
  Result<GgufFile> file = Status(StatusCode::internal, "unparsed");
};

void parse(const GgufWriter &w, MemoryGguf *out) {
  auto bytes = w.to_bytes();
  REQUIRE(bytes.is_ok());
  out->bytes = std::move(bytes).value();
  out->file = GgufFile::parse(out->bytes.data(), out->bytes.size());
  REQUIRE_MESSAGE(out->file.is_ok(), out->file.status().to_string());
}

std::vector<std::string> numbered_tokens(size_t n) {
  std::vector<std::string> t;
  for (size_t i = 0; i < n; ++i) t.push_back("t" + std::to_string(i));
  return t;
}

Result<Vocab> load(const GgufWriter &w) {
  MemoryGguf g;
  parse(w, &g);
  return load_vocab(g.file.value());
}

}  // namespace

TEST_CASE("load_vocab: llama (SPM) defaults match llama.cpp") {
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", ""});
  w.set_f32_array("tokenizer.ggml.scores", {0, 0, 0, -1.5f, -2});
  w.set_i32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1});
  auto v = load(w);
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  CHECK(v->model == VocabModel::llama);
  CHECK(v->bos_id == 1);
  CHECK(v->eos_id == 2);
  CHECK(v->unk_id == 0);
  CHECK(v->pad_id == kNoToken);
  CHECK(v->add_bos);
  CHECK_FALSE(v->add_eos);
  CHECK(v->add_space_prefix);
  CHECK(v->scores[3] == -1.5f);
  CHECK(v->types[0] == TokenType::unknown);
  CHECK(v->tokens[4] == "[EMPTY_4]");  // llama.cpp renames empty tokens
}

TEST_CASE("load_vocab: gpt2 defaults depend on the pre-tokenizer - keys override") {
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "llama-bpe");
  w.set_string_array("tokenizer.ggml.tokens", numbered_tokens(20));
  w.set_string_array("tokenizer.ggml.merges", {"t 1"});
  auto v = load(w);
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  CHECK(v->model == VocabModel::gpt2);
  CHECK(v->pre == "llama-bpe");
  CHECK(v->add_bos);  // llama3 pre-tokenizer
  CHECK(v->bos_id == 11);
  CHECK(v->eos_id == 11);
  CHECK(v->unk_id == kNoToken);
  CHECK_FALSE(v->add_space_prefix);
  CHECK(v->merges.size() == 1);

  GgufWriter w2;
  w2.set_string("tokenizer.ggml.model", "gpt2");
  w2.set_string("tokenizer.ggml.pre", "qwen2");
  w2.set_string_array("tokenizer.ggml.tokens", numbered_tokens(5));  // 11 is out of range: no default bos
  w2.set_string_array("tokenizer.ggml.merges", {"t 1"});
  w2.set_u32("tokenizer.ggml.eos_token_id", 3);
  w2.set_u32("tokenizer.ggml.padding_token_id", 4);
  w2.set_bool("tokenizer.ggml.add_eos_token", true);
  auto v2 = load(w2);
  REQUIRE_MESSAGE(v2.is_ok(), v2.status().to_string());
  CHECK(v2->bos_id == kNoToken);
  CHECK(v2->eos_id == 3);
  CHECK(v2->pad_id == 4);
  CHECK_FALSE(v2->add_bos);
  CHECK(v2->add_eos);
}

TEST_CASE("load_vocab: clear errors for bad metadata") {
  auto expect_error = [](const GgufWriter &w, const char *needle) {
    auto v = load(w);
    REQUIRE_FALSE(v.is_ok());
    CHECK_MESSAGE(v.status().message().find(needle) != std::string::npos, v.status().to_string());
  };
  {
    GgufWriter w;
    w.set_string_array("tokenizer.ggml.tokens", {"a"});
    expect_error(w, "tokenizer.ggml.model");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "bert");
    w.set_string_array("tokenizer.ggml.tokens", {"a"});
    expect_error(w, "bert");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "llama");
    expect_error(w, "tokenizer.ggml.tokens");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "llama");
    w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>"});
    w.set_f32_array("tokenizer.ggml.scores", {0, 0});
    expect_error(w, "tokenizer.ggml.scores");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "llama");
    w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>"});
    w.set_i32_array("tokenizer.ggml.token_type", {1, 1});
    expect_error(w, "tokenizer.ggml.token_type");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "llama");
    w.set_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>"});
    w.set_u32("tokenizer.ggml.bos_token_id", 7);
    expect_error(w, "bos_token_id");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "gpt2");
    w.set_string("tokenizer.ggml.pre", "gpt-2");
    w.set_string_array("tokenizer.ggml.tokens", {"a", "b"});
    expect_error(w, "tokenizer.ggml.merges");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "gpt2");
    w.set_string("tokenizer.ggml.pre", "made-up");
    w.set_string_array("tokenizer.ggml.tokens", {"a", "b"});
    w.set_string_array("tokenizer.ggml.merges", {"a b"});
    expect_error(w, "made-up");
  }
  {
    GgufWriter w;
    w.set_string("tokenizer.ggml.model", "llama");
    w.set_u32("tokenizer.ggml.tokens", 3);  // wrong type
    expect_error(w, "tokenizer.ggml.tokens");
  }
  {
    GgufWriter w;  // add_bos with no bos token (2-token vocab: default bos 1 is in range, so point at none)
    w.set_string("tokenizer.ggml.model", "gpt2");
    w.set_string("tokenizer.ggml.pre", "gpt-2");
    w.set_string_array("tokenizer.ggml.tokens", {"a", "b"});
    w.set_string_array("tokenizer.ggml.merges", {"a b"});
    w.set_bool("tokenizer.ggml.add_bos_token", true);
    expect_error(w, "bos");
  }
}

TEST_CASE("Tokenizer::create rejects duplicate token texts and bad ids") {
  Vocab v;
  v.model = VocabModel::llama;
  v.tokens = {"<unk>", "a", "a"};
  v.scores = {0, 0, 0};
  v.types = {TokenType::unknown, TokenType::normal, TokenType::normal};
  auto dup = Tokenizer::create(v);
  REQUIRE_FALSE(dup.is_ok());
  CHECK(dup.status().message().find("duplicate") != std::string::npos);
  v.tokens[2] = "b";
  v.bos_id = 3;
  auto bad_id = Tokenizer::create(v);
  REQUIRE_FALSE(bad_id.is_ok());
  CHECK(bad_id.status().message().find("bos") != std::string::npos);
  v.bos_id = kNoToken;
  v.scores.pop_back();
  CHECK_FALSE(Tokenizer::create(v).is_ok());
}

TEST_CASE("Tokenizer summary names kind - pre-tokenizer - sizes and special ids") {
  Vocab v;
  v.model = VocabModel::gpt2;
  v.pre = "qwen2";
  v.tokens = {"a", "b", "ab", "<|endoftext|>"};
  v.scores.assign(4, 0);
  v.types = {TokenType::normal, TokenType::normal, TokenType::normal, TokenType::control};
  v.merges = {"a b"};
  v.eos_id = 3;
  auto tok = Tokenizer::create(v);
  REQUIRE(tok.is_ok());
  const std::string s = tok->summary();
  CHECK(s.find("gpt2") != std::string::npos);
  CHECK(s.find("qwen2") != std::string::npos);
  CHECK(s.find("4 tokens") != std::string::npos);
  CHECK(s.find("1 merges") != std::string::npos);
  CHECK(s.find("eos 3 '<|endoftext|>'") != std::string::npos);
  CHECK(tok->n_vocab() == 4);
  CHECK(tok->eos_id() == 3);
}
