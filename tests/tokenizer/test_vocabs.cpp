#include "tests/tokenizer/test_vocabs.h"

#include <doctest/doctest.h>

#include <cstdio>

#include "models/tokenizer/byte_unicode.h"

namespace ballast::test {

Vocab make_spm_vocab(const std::vector<std::pair<std::string, float>> &pieces, bool with_bytes) {
  Vocab v;
  v.model = VocabModel::llama;
  auto add = [&](const std::string &text, float score, TokenType type) {
    v.tokens.push_back(text);
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0, TokenType::unknown);
  add("<s>", 0, TokenType::control);
  add("</s>", 0, TokenType::control);
  if (with_bytes) {
    for (int b = 0; b < 256; ++b) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
      add(hex, 0, TokenType::byte);
    }
  }
  for (const auto &p : pieces) add(p.first, p.second, TokenType::normal);
  v.bos_id = 1;
  v.eos_id = 2;
  v.unk_id = 0;
  v.add_bos = true;
  v.add_space_prefix = true;
  return v;
}

std::string gpt2_text(const std::string &bytes) {
  std::string out;
  for (char c : bytes) append_byte_as_unicode(static_cast<uint8_t>(c), &out);
  return out;
}

Vocab make_bpe_vocab(const std::vector<std::string> &merges, const std::string &pre) {
  Vocab v;
  v.model = VocabModel::gpt2;
  v.pre = pre;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(gpt2_text(std::string(1, static_cast<char>(b))));
  for (const std::string &m : merges) {
    const size_t space = m.find('|', 1);
    REQUIRE(space != std::string::npos);
    const std::string merged = m.substr(0, space) + m.substr(space + 1);
    v.merges.push_back(gpt2_text(m.substr(0, space)) + " " + gpt2_text(m.substr(space + 1)));
    v.tokens.push_back(gpt2_text(merged));
  }
  v.tokens.push_back("<|endoftext|>");
  v.scores.assign(v.tokens.size(), 0.0f);
  v.types.assign(v.tokens.size(), TokenType::normal);
  v.types.back() = TokenType::control;
  v.bos_id = v.eos_id = static_cast<int32_t>(v.tokens.size() - 1);
  return v;
}

int32_t token_id(const Vocab &vocab, const std::string &text) {
  for (size_t i = 0; i < vocab.tokens.size(); ++i) {
    if (vocab.tokens[i] == text) return static_cast<int32_t>(i);
  }
  return -1;
}

Tokenizer make_tokenizer(Vocab vocab) {
  auto tok = Tokenizer::create(std::move(vocab));
  REQUIRE_MESSAGE(tok.is_ok(), tok.status().to_string());
  return std::move(tok).value();
}

std::vector<int32_t> encode(const Tokenizer &tok, const std::string &text, bool add_special, bool parse_special) {
  std::vector<int32_t> ids;
  const Status s = tok.encode(text, add_special, parse_special, &ids);
  REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  return ids;
}

}  // namespace ballast::test
