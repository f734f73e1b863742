// Ballast's intermediate vocabulary text format (tools/vocab/README.md):
// what extract_vocabs.mjs writes and ballast-mkvocab turns into GGUF.
//
//   ballast-vocab-text 1
//   model gpt2|llama          -> tokenizer.ggml.model
//   pre NAME                  -> tokenizer.ggml.pre
//   bos ID / eos ID / unk ID / pad ID     (-1: none, key not written)
//   add_bos 0|1 / add_eos 0|1 / add_space_prefix 0|1   (optional)
//   tokens N
//   TYPE SCORE HEX            N lines, id order; SCORE "-" = no score
//   merges M
//   HEXLEFT HEXRIGHT          M lines, rank order
// HEX is the token's bytes in lowercase or uppercase hex (empty allowed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"

namespace ballast {

struct VocabText {
  std::string model;  // "gpt2" or "llama"
  std::string pre;    // pre-tokenizer name, e.g. "gpt-2", "qwen2"
  int64_t bos_id = -1;  // -1: none
  int64_t eos_id = -1;
  int64_t unk_id = -1;
  int64_t pad_id = -1;
  int add_bos = -1;  // -1: not given, else 0/1
  int add_eos = -1;
  int add_space_prefix = -1;
  std::vector<std::string> tokens;       // [n_tokens] raw bytes
  std::vector<int32_t> token_types;      // [n_tokens] GGUF token type (1 normal .. 6 byte)
  bool has_scores = false;               // all tokens have a score, or none
  std::vector<float> scores;             // [n_tokens] when has_scores
  std::vector<std::string> merges;       // [n_merges] "left right"
};

// Parses the whole text; errors name the line number.
Result<VocabText> parse_vocab_text(const std::string &text);
Result<VocabText> read_vocab_text_file(const std::string &path);

}  // namespace ballast
