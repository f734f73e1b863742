// SentencePiece-style encoding (tokenizer.ggml.model = llama), llama.cpp's
// variant: start from single UTF-8 characters and repeatedly merge the
// adjacent pair whose concatenation is the vocabulary token with the highest
// score (ties: leftmost), until no pair forms a token. Pieces that are not
// tokens fall back to byte tokens (<0xAB>). O(n log n) via a binary heap in a
// caller-owned vector (no allocation once the buffers are large enough).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "models/tokenizer/token_maps.h"
#include "models/tokenizer/tokenizer_workspace.h"

namespace ballast {

struct SpmModel {
  const TextToId *token_ids = nullptr;     // token text -> id
  const std::vector<float> *scores = nullptr;  // [n_vocab]
  const int32_t *byte_tokens = nullptr;    // [256] byte -> "<0xAB>" token (or the 1-byte token); -1 if none
  int32_t unk_id = -1;                     // used when a byte has no token
};

// Encode `text` (spaces already replaced by U+2581) and append ids to *out.
// *symbols and *heap are scratch (cleared here; capacity kept): at most
// text.size() symbols and 2 * text.size() candidates.
void spm_encode(const SpmModel &model, std::string_view text, std::vector<MergeSymbol> *symbols,
                std::vector<SpmCandidate> *heap, std::vector<int32_t> *out);

}  // namespace ballast
