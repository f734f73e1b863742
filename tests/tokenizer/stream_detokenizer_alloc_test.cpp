// The streaming detokenizer runs in the decode hot path: after setup, pushing
// tokens through a caller-owned buffer must not touch the heap.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "models/tokenizer/stream_detokenizer.h"
#include "models/tokenizer/tokenizer.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;

TEST_CASE("stream detokenizer push/flush and token_to_piece allocate nothing") {
  Vocab v;
  v.model = VocabModel::llama;
  v.tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81hello", "\xE4\xB8\xAD"};
  v.types = {TokenType::unknown, TokenType::control, TokenType::control, TokenType::normal, TokenType::normal};
  for (int b = 0; b < 256; ++b) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
    v.tokens.push_back(hex);
    v.types.push_back(TokenType::byte);
  }
  v.scores.assign(v.tokens.size(), 0.0f);
  v.bos_id = 1;
  v.eos_id = 2;
  v.unk_id = 0;
  auto created = Tokenizer::create(std::move(v));
  REQUIRE(created.is_ok());
  const Tokenizer &tok = created.value();
  StreamDetokenizer stream(tok);
  std::vector<char> buffer(stream.max_output_bytes());
  // A stream mixing words, a 3-byte character, byte tokens of a 4-byte emoji, and bad bytes.
  const int32_t pattern[] = {1, 3, 4, 5 + 0xF0, 5 + 0x9F, 5 + 0x98, 5 + 0x80, 5 + 0xFF, 5 + 0xE4, 5 + 'x', 2};
  size_t total = 0;
  uint64_t allocations = 0;
  {
    testing::AllocationCountScope scope;
    for (int step = 0; step < 20000; ++step) {
      size_t written = 0;
      const int32_t id = pattern[step % (sizeof(pattern) / sizeof(pattern[0]))];
      if (!stream.push(id, buffer.data(), buffer.size(), &written).is_ok()) break;
      total += written;
      total += tok.token_to_piece(id, true).size();
    }
    size_t written = 0;
    (void)stream.flush(buffer.data(), buffer.size(), &written);
    total += written;
    allocations = scope.count();
  }
  CHECK(total > 20000);
  CHECK(allocations == 0);
}
