// Encoding with a reserved TokenizerWorkspace never touches the heap: 1000
// varied lines (ASCII, multi-byte UTF-8, invalid UTF-8, NUL bytes, special-
// token text, lines at the maximum length) through the default model's SPM
// vocabulary and byte-level BPE vocabularies, counted by the interposed
// allocator. The ids must also equal those of a fresh encode.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/gguf/gguf_reader.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_workspace.h"
#include "tests/support/allocation_counter.h"
#include "tests/tokenizer/test_vocabs.h"

using namespace ballast;

namespace {

constexpr size_t kMaxTextBytes = 4096;

bool read_file(const std::string &path, std::string *out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// The vocabulary of a GGUF file (nullopt-like: false when the file is absent).
bool load_tokenizer(const std::string &path, Result<Tokenizer> *tokenizer) {
  std::string bytes;
  if (!read_file(path, &bytes)) return false;
  auto file = GgufFile::parse(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
  REQUIRE_MESSAGE(file.is_ok(), file.status().to_string());
  auto vocab = load_vocab(file.value());  // copies what it keeps
  REQUIRE_MESSAGE(vocab.is_ok(), vocab.status().to_string());
  *tokenizer = Tokenizer::create(std::move(vocab).value());
  REQUIRE_MESSAGE(tokenizer->is_ok(), tokenizer->status().to_string());
  return true;
}

// 1000 lines of every kind a transcript may bring, none over kMaxTextBytes.
std::vector<std::string> varied_lines() {
  const std::vector<std::string> seeds = {
      "Hello world, this is a plain ASCII line.",
      "  leading and trailing spaces  ",
      "numbers 1234567 and 3.14159, symbols $+<=>^~| and `code`",
      "caf\xC3\xA9 na\xC3\xAFve \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
      "bad \xC0 \xFF\xFE \xE4\xB8 truncated \xF0\x9F\x98",
      std::string("nul\0inside\0the line", 19),
      "<s> control text </s> <unk> <|endoftext|> <|im_end|>",
      "it's we'll they'RE I'M don't 'S",
      "tabs\tand\nnewlines\r\n mixed   \t  ",
      "\xE2\x96\x81 already an SPM space marker \xE2\x96\x81\xE2\x96\x81",
  };
  std::vector<std::string> lines;
  uint32_t state = 2024;
  auto next = [&]() {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  while (lines.size() < 990) {
    std::string line;
    const size_t parts = 1 + next() % 12;
    for (size_t p = 0; p < parts; ++p) line += seeds[next() % seeds.size()];
    if (next() % 4 == 0) {  // random bytes, invalid UTF-8 and NULs included
      for (size_t i = next() % 64; i > 0; --i) line.push_back(static_cast<char>(next()));
    }
    lines.push_back(line);
  }
  // At the maximum length: the worst cases for each buffer.
  lines.push_back(std::string(kMaxTextBytes, ' '));
  lines.push_back(std::string(kMaxTextBytes, '\xFF'));
  lines.push_back(std::string(kMaxTextBytes, 'a'));
  std::string lead_then_space;  // a 2-byte lead swallowing part of each U+2581
  while (lead_then_space.size() + 2 <= kMaxTextBytes) lead_then_space += "\xC3 ";
  lines.push_back(lead_then_space);
  std::string digits;
  while (digits.size() < kMaxTextBytes) digits.push_back(static_cast<char>('0' + next() % 10));
  lines.push_back(digits);
  std::string mixed;
  while (mixed.size() + 60 <= kMaxTextBytes) mixed += seeds[next() % seeds.size()];
  lines.push_back(mixed);
  std::string specials;
  while (specials.size() + 3 <= kMaxTextBytes) specials += "<s>";
  lines.push_back(specials);
  std::string random;
  while (random.size() < kMaxTextBytes) random.push_back(static_cast<char>(next()));
  lines.push_back(random);
  lines.push_back("");
  lines.push_back(std::string(kMaxTextBytes, '\0'));
  for (const std::string &line : lines) REQUIRE(line.size() <= kMaxTextBytes);
  return lines;
}

// Encodes every line with one reserved workspace inside a counting scope;
// then checks the ids against fresh encodes.
void check_no_allocations(const Tokenizer &tok, const std::string &name) {
  const std::vector<std::string> lines = varied_lines();
  TokenizerWorkspace ws;
  REQUIRE(ws.reserve_for(tok, kMaxTextBytes).is_ok());
  std::vector<int32_t> ids;
  ids.reserve(tok.max_encode_ids(kMaxTextBytes));
  std::vector<std::vector<int32_t>> got(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) got[i].reserve(tok.max_encode_ids(lines[i].size()));

  uint64_t allocations = 0;
  size_t max_ids = 0;
  bool all_ok = true;
  {
    testing::AllocationCountScope scope;
    for (size_t i = 0; i < lines.size(); ++i) {
      ids.clear();
      const bool special = i % 3 != 0;
      all_ok = all_ok && tok.encode(lines[i], special, special, &ws, &ids).is_ok();
      max_ids = ids.size() > max_ids ? ids.size() : max_ids;
      got[i].assign(ids.begin(), ids.end());  // within the reserved capacity
    }
    allocations = scope.count();
  }
  MESSAGE(name << ": " << lines.size() << " lines, workspace " << ws.capacity_bytes() << " bytes reserved for "
                << kMaxTextBytes << "-byte texts, most ids per line " << max_ids);
  CHECK(all_ok);
  CHECK_MESSAGE(allocations == 0, name);
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool special = i % 3 != 0;
    std::vector<int32_t> fresh;
    REQUIRE(tok.encode(lines[i], special, special, &fresh).is_ok());
    CHECK_MESSAGE(got[i] == fresh, name << " line " << i);
    CHECK(fresh.size() <= tok.max_encode_ids(lines[i].size()));
  }
}

}  // namespace

TEST_CASE("tokenizer: encoding 1000 lines with a reserved workspace allocates nothing - default model SPM vocab") {
  Result<Tokenizer> tok = Status(StatusCode::internal, "not loaded");
  const std::string path = std::string(BALLAST_SOURCE_DIR) + "/models/default/ballast-default.gguf";
  REQUIRE_MESSAGE(load_tokenizer(path, &tok), "cannot read " << path);
  REQUIRE(tok.value().vocab().model == VocabModel::llama);
  check_no_allocations(tok.value(), "ballast-default (spm)");
}

TEST_CASE("tokenizer: encoding 1000 lines with a reserved workspace allocates nothing - BPE vocabs") {
  // Small byte-level BPE vocabularies under each pre-tokenizer (always here).
  const std::vector<std::string> merges = {"h|e", "l|l", "he|ll", "hell|o", " |w", " w|o", " wo|r", "1|2", "2|3",
                                           "\xC3|\xA9", " |t", "t|h", "th|e", " |th", " th|e"};
  for (const char *pre : {"gpt-2", "llama3", "qwen2", "smollm", "default"}) {
    SUBCASE(pre) {
      const Tokenizer tok = test::make_tokenizer(test::make_bpe_vocab(merges, pre));
      check_no_allocations(tok, pre);
    }
  }
}

TEST_CASE("tokenizer: encoding 1000 lines with a reserved workspace allocates nothing - real BPE vocabs") {
  // The real vocabularies the llama.cpp comparison uses, when the CTest step
  // generate_vocab_ggufs has made them in this build.
  for (const char *variant : {"gpt2", "gpt2-default", "qwen3"}) {
    SUBCASE(variant) {
      Result<Tokenizer> tok = Status(StatusCode::internal, "not loaded");
      const std::string path = std::string(BALLAST_VOCAB_GGUF_DIR) + "/" + variant + ".gguf";
      if (!load_tokenizer(path, &tok)) {
        MESSAGE("skipped: " << path << " is absent (ctest -R generate_vocab_ggufs makes it)");
        continue;
      }
      check_no_allocations(tok.value(), variant);
    }
  }
}

TEST_CASE("tokenizer: a workspace warmed up by encoding allocates nothing on the same lines again") {
  const std::vector<std::string> merges = {"h|e", "l|l", "he|ll", "hell|o", " |w"};
  const Tokenizer tok = test::make_tokenizer(test::make_bpe_vocab(merges, "llama3"));
  const std::vector<std::string> lines = varied_lines();
  TokenizerWorkspace ws;  // no reserve_for: the first round grows it
  std::vector<int32_t> ids;
  for (const std::string &line : lines) {
    ids.clear();
    REQUIRE(tok.encode(line, true, true, &ws, &ids).is_ok());
  }
  uint64_t allocations = 0;
  {
    testing::AllocationCountScope scope;
    for (size_t i = lines.size(); i-- > 0;) {
      ids.clear();
      (void)tok.encode(lines[i], true, true, &ws, &ids);
    }
    allocations = scope.count();
  }
  CHECK(allocations == 0);
}
