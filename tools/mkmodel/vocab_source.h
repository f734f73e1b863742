// The tokenizer part of a generated model: either a synthetic but valid
// SentencePiece-style vocabulary (so llama.cpp can load the file), or the
// tokenizer.* keys copied verbatim from another GGUF file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/gguf/gguf_writer.h"
#include "platform/status.h"

namespace ballast {
namespace mkmodel {

// Smallest synthetic vocabulary: <unk>, <s>, </s> and the 256 byte tokens.
constexpr uint32_t kMinSyntheticVocab = 3 + 256;

// The synthetic token strings: "<unk>", "<s>", "</s>", "<0x00>".."<0xFF>",
// then single printable ASCII characters, "▁", "▁a".."▁z", "aa".."zz",
// "▁aa".."▁zz", "aaa".. and so on, until `vocab_size` tokens.
std::vector<std::string> synthetic_tokens(uint32_t vocab_size);

// Writes tokenizer.ggml.model = "llama" with tokens, scores, token types,
// bos/eos/unk ids and add-bos/eos flags. vocab_size >= kMinSyntheticVocab.
Status add_synthetic_vocab(GgufWriter &writer, uint32_t vocab_size);

// Copies every `tokenizer.*` key of the GGUF file at `path`; returns the
// number of tokens (length of tokenizer.ggml.tokens).
Result<uint32_t> copy_vocab_from_gguf(GgufWriter &writer, const std::string &path);

}  // namespace mkmodel
}  // namespace ballast
