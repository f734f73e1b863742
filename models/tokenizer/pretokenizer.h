// Pre-tokenizers for byte-level BPE vocabularies: they split text into the
// pieces that BPE merges never cross, following the regular expressions that
// llama.cpp associates with each `tokenizer.ggml.pre` name. The expressions
// are implemented as small hand-written scanners over code points (no regex
// engine), with the same results llama.cpp produces:
//
//   gpt2:    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama3:  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//            ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2:   as llama3 with \p{N} (single digits) instead of \p{N}{1,3}
//   smollm:  isolate every \p{N}, then gpt2
//   default: isolate runs of [\p{P}$+<=>^~|], then gpt2, then isolate runs of
//            \p{N}+, then groups of three ASCII digits
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "models/tokenizer/tokenizer_workspace.h"
#include "platform/status.h"

namespace ballast {

enum class PreTokenizerKind { default_split, gpt2, llama3, qwen2, smollm };

// What a `tokenizer.ggml.pre` name implies, besides the split itself
// (llama.cpp's per-name settings).
struct PreTokenizerInfo {
  PreTokenizerKind kind = PreTokenizerKind::default_split;
  bool ignore_merges = false;  // a piece that is itself a token is emitted whole
  bool add_bos = false;        // default for tokenizer.ggml.add_bos_token
  bool clean_spaces = true;    // decode removes " ?", " !", " .", " ," ... spaces
};

// Empty name means "default" (llama.cpp warns and uses it). Unknown names
// are an `unsupported` error naming the value.
Result<PreTokenizerInfo> pre_tokenizer_from_name(std::string_view name);
const char *pre_tokenizer_kind_name(PreTokenizerKind kind);

// Split `cps` (code points) into pieces; appends each piece's length in code
// points to *piece_lengths (they sum to cps.size(); no zero lengths).
void pre_tokenize(PreTokenizerKind kind, const std::vector<uint32_t> &cps, std::vector<size_t> *piece_lengths);
// The same into scratch->segments (replacing what it held), with no
// allocation once both scratch vectors have room for cps.size() pieces.
void pre_tokenize(PreTokenizerKind kind, const std::vector<uint32_t> &cps, PreTokenizerScratch *scratch);

}  // namespace ballast
