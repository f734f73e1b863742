// Byte-level BPE encoding (tokenizer.ggml.model = gpt2), as llama.cpp does it:
// pre-tokenize into pieces, map each piece's UTF-8 bytes to GPT-2's printable
// code points, then repeatedly merge the adjacent pair with the lowest merge
// rank (ties: leftmost). O(n log n) per piece via a binary heap. All scratch
// lives in a caller-owned TokenizerWorkspace (no allocation once it is large
// enough).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/token_maps.h"
#include "models/tokenizer/tokenizer_workspace.h"

namespace ballast {

struct BpeModel {
  const TextToId *token_ids = nullptr;    // token text -> id
  const TextToId *merge_ranks = nullptr;  // "left right" -> rank
  PreTokenizerKind pre = PreTokenizerKind::default_split;
  bool ignore_merges = false;  // a piece that is a token is emitted whole
};

// Encode `text` and append ids to *out. Uses ws->code_points, ws->pre,
// ws->piece_utf8, ws->piece_encoded, ws->merge_key, ws->symbols, ws->bpe_heap.
void bpe_encode(const BpeModel &model, std::string_view text, TokenizerWorkspace *ws, std::vector<int32_t> *out);

}  // namespace ballast
