// A tokenizer vocabulary as GGUF stores it (llama.cpp's `tokenizer.ggml.*`
// keys), plus the defaults llama.cpp applies per model kind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"

namespace ballast {

class GgufFile;

// llama.cpp's token type values (tokenizer.ggml.token_type).
enum class TokenType : int32_t {
  undefined = 0,
  normal = 1,
  unknown = 2,
  control = 3,
  user_defined = 4,
  unused = 5,
  byte = 6,
};

enum class VocabModel {
  llama,  // SentencePiece-style: scores, U+2581 for space, <0xAB> byte fallback
  gpt2,   // byte-level BPE: merges, bytes mapped to printable code points
};

constexpr int32_t kNoToken = -1;

struct Vocab {
  VocabModel model = VocabModel::llama;
  std::string pre;                  // tokenizer.ggml.pre ("" when absent)
  std::vector<std::string> tokens;  // [n_vocab] token text as stored
  std::vector<float> scores;        // [n_vocab] (SPM merge priority; 0 when absent)
  std::vector<TokenType> types;     // [n_vocab] (normal when absent)
  std::vector<std::string> merges;  // [n_merges] "left right", rank = index (gpt2 only)

  int32_t bos_id = kNoToken;
  int32_t eos_id = kNoToken;
  int32_t unk_id = kNoToken;
  int32_t pad_id = kNoToken;
  int32_t eot_id = kNoToken;  // end of turn; found by key or by well-known text

  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;  // SPM: prepend a space to the text

  size_t size() const { return tokens.size(); }
};

const char *vocab_model_name(VocabModel model);

// Read the tokenizer.ggml.* keys of a GGUF file. Missing optional keys take
// llama.cpp's defaults for the model kind (llama: bos 1, eos 2, unk 0,
// add_bos, add_space_prefix; gpt2: bos = eos = 11 when in range, add_bos
// only for the llama3 pre-tokenizer). Errors name the key.
Result<Vocab> load_vocab(const GgufFile &file);

// Check that a Vocab is self-consistent: array lengths agree, special ids
// are in range, add_bos/add_eos have their token. Also run by Tokenizer::create.
Status validate_vocab(const Vocab &vocab);

}  // namespace ballast
