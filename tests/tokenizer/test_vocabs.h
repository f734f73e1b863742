// Small in-memory vocabularies for the tokenizer unit tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/vocab.h"

namespace ballast::test {

// SPM vocabulary: 0 <unk> (unknown), 1 <s>, 2 </s> (control), then the 256
// byte tokens <0x00>..<0xFF> when with_bytes, then `pieces` (normal, with
// their scores; write U+2581 as "\xE2\x96\x81").
Vocab make_spm_vocab(const std::vector<std::pair<std::string, float>> &pieces, bool with_bytes = true);

// GPT-2 byte-level BPE vocabulary: the 256 byte tokens in byte order (ids
// 0..255, each byte's GPT-2 code point), then one token per merge result in
// merge order, then "<|endoftext|>" (control, last id). Merges are written
// as raw bytes with '|' between the two parts ("h|e", " |w").
Vocab make_bpe_vocab(const std::vector<std::string> &merges, const std::string &pre = "gpt-2");

// GPT-2 code-point text of raw bytes ("a b" -> "aĠb").
std::string gpt2_text(const std::string &bytes);

// Id of a token text (-1 if absent).
int32_t token_id(const Vocab &vocab, const std::string &text);

Tokenizer make_tokenizer(Vocab vocab);
std::vector<int32_t> encode(const Tokenizer &tok, const std::string &text, bool add_special = false,
                            bool parse_special = false);

}  // namespace ballast::test
