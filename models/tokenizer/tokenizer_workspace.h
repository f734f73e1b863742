// Every buffer Tokenizer::encode needs, owned by the caller and reused across
// calls, so that encoding in a loop (the stream driver: one call per input
// line) never touches the heap. Buffers only grow (clear() keeps capacity):
// once reserve_for(tokenizer, n) has run, or a text of n bytes has been
// encoded, encoding any text of at most n bytes allocates nothing.
//
//   TokenizerWorkspace ws;                                   // at init
//   BALLAST_RETURN_IF_ERROR(ws.reserve_for(tok, max_text_bytes));
//   std::vector<int32_t> ids;
//   ids.reserve(tok.max_encode_ids(max_text_bytes));
//   ...
//   ids.clear();                                             // per line: no allocation
//   BALLAST_RETURN_IF_ERROR(tok.encode(line, false, false, &ws, &ids));
//
// A workspace is used by one thread at a time; it holds no state between
// calls (results never depend on what was encoded before).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"

namespace ballast {

class Tokenizer;

// A piece of the text after special-token splitting.
struct TextFragment {
  int32_t token;    // >= 0: a special token; -1: raw text [begin, begin + length)
  uint32_t begin;   // byte offset in the text
  uint32_t length;  // bytes
};

// One symbol of the merge loops (SPM and BPE): a run of bytes in a doubly
// linked list of the word's symbols.
struct MergeSymbol {
  uint32_t begin;   // byte offset in the text being merged
  uint32_t length;  // bytes; 0 once merged into its left neighbour
  int32_t prev;     // index of the left neighbour, -1 if none
  int32_t next;     // index of the right neighbour, -1 if none
};

// SPM merge candidate: the pair (left, right) forms a token with `score`.
struct SpmCandidate {
  int32_t left;
  int32_t right;
  float score;
  uint32_t length;  // bytes of the merged text when the candidate was made
};

// BPE merge candidate: the pair (left, right) has merge `rank`.
struct BpeCandidate {
  int32_t left;
  int32_t right;
  int32_t rank;
  uint32_t length;  // bytes of the merged text when the candidate was made
};

// Scratch of the pre-tokenizers: the split is refined pass by pass from
// `segments` into `next` (then copied back, so each vector keeps the capacity
// it grew to); the result is left in `segments`.
struct PreTokenizerScratch {
  std::vector<size_t> segments;  // [<= code points] piece lengths in code points
  std::vector<size_t> next;      // [<= code points]
};

struct TokenizerWorkspace {
  // Special-token splitting (both vocabulary kinds).
  std::vector<TextFragment> fragments;       // [<= 2 * text bytes + 1]
  std::vector<TextFragment> fragments_next;  // [<= 2 * text bytes + 1]
  std::vector<MergeSymbol> symbols;          // [<= merged text bytes] SPM text / one BPE piece
  // SPM.
  std::string escaped;                       // [<= 3 * text bytes + 3] spaces as U+2581, prefix added
  std::vector<SpmCandidate> spm_heap;        // [<= 2 * symbols] binary heap (std::push_heap/pop_heap)
  // BPE.
  std::vector<uint32_t> code_points;         // [<= text bytes] the text decoded (bad bytes -> U+FFFD)
  PreTokenizerScratch pre;                   // piece lengths in code points
  std::string piece_utf8;                    // [<= 3 * text bytes] one piece as UTF-8
  std::string piece_encoded;                 // [<= 6 * text bytes] the same piece in GPT-2 code points
  std::string merge_key;                     // [<= piece_encoded + 1] "left right" looked up in the merge ranks
  std::vector<BpeCandidate> bpe_heap;        // [<= 2 * symbols] binary heap

  // Pre-sizes every buffer for texts of up to max_text_bytes bytes with this
  // tokenizer's kind of vocabulary (worst case: invalid UTF-8, every byte a
  // space, no merges known), so the first encode allocates nothing either.
  // out_of_memory if the buffers cannot be had.
  Status reserve_for(const Tokenizer &tokenizer, size_t max_text_bytes);

  // Bytes the buffers hold now (capacity, not size).
  size_t capacity_bytes() const;
};

}  // namespace ballast
