// Text <-> token ids for the vocabularies GGUF files carry: SentencePiece-style
// (llama) and GPT-2 byte-level BPE with the pre-tokenizer `tokenizer.ggml.pre`
// names. Behaviour follows llama.cpp (the reference the tests compare with).
// A Tokenizer is immutable after create() and may be shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/token_maps.h"
#include "models/tokenizer/tokenizer_workspace.h"
#include "models/tokenizer/vocab.h"
#include "platform/status.h"

namespace ballast {

class Tokenizer {
 public:
  // Validates the vocabulary (duplicate token texts, ids, flags) and builds
  // the lookup tables.
  static Result<Tokenizer> create(Vocab vocab);

  Tokenizer(Tokenizer &&) = default;
  Tokenizer &operator=(Tokenizer &&) = default;
  Tokenizer(const Tokenizer &) = delete;  // the lookup tables point into vocab_
  Tokenizer &operator=(const Tokenizer &) = delete;

  // Append the ids of `text` to *out. add_special: add BOS/EOS as the
  // vocabulary's add_bos/add_eos say. parse_special: control tokens written in
  // the text ("<|endoftext|>", "<s>") become their ids; user-defined tokens
  // are always matched whole. Any bytes are accepted (invalid UTF-8 included).
  // Uses a workspace of its own (allocates); loops use the overload below.
  Status encode(std::string_view text, bool add_special, bool parse_special, std::vector<int32_t> *out) const;
  // The same ids, with all scratch in *ws (tokenizer_workspace.h): no heap
  // allocation when ws has room for text.size() bytes (reserve_for) and *out
  // has capacity for max_encode_ids(text.size()) more ids.
  Status encode(std::string_view text, bool add_special, bool parse_special, TokenizerWorkspace *ws,
                std::vector<int32_t> *out) const;
  // Most ids encode can append for a text of text_bytes bytes (BOS/EOS included).
  size_t max_encode_ids(size_t text_bytes) const;

  size_t n_vocab() const { return vocab_.size(); }
  int32_t bos_id() const { return vocab_.bos_id; }
  int32_t eos_id() const { return vocab_.eos_id; }
  int32_t eot_id() const { return vocab_.eot_id; }
  int32_t unk_id() const { return vocab_.unk_id; }
  int32_t pad_id() const { return vocab_.pad_id; }
  bool add_bos() const { return vocab_.add_bos; }
  bool add_eos() const { return vocab_.add_eos; }
  // Control or unknown token (rendered only on request).
  bool is_special(int32_t id) const;
  // Generation should stop here: eos, eot, and the end-of-turn texts llama.cpp
  // knows ("<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>", ...).
  bool is_end_of_generation(int32_t id) const;
  const Vocab &vocab() const { return vocab_; }
  const PreTokenizerInfo &pre_tokenizer() const { return pre_; }

  // The bytes token `id` stands for (SPM: U+2581 -> space, <0xAB> -> byte;
  // GPT-2: code points -> bytes). Control and unknown tokens give their text
  // when render_special, else nothing. Out-of-range ids give nothing. The
  // view stays valid as long as the Tokenizer; no allocation.
  std::string_view token_to_piece(int32_t id, bool render_special = false) const;
  // Longest piece in bytes (special tokens included): sizes decode buffers.
  size_t max_piece_bytes() const { return max_piece_bytes_; }

  // Whole-sequence decode like llama.cpp's detokenize (special tokens not
  // removed): pieces concatenated, the leading space SPM added is dropped,
  // and GPT-2-style vocabularies clean " ," " ." " 's" ... spaces.
  std::string decode(const std::vector<int32_t> &ids, bool render_special = false) const;

  // One line for `ballast info`: kind, pre-tokenizer, sizes, special ids.
  std::string summary() const;

 private:
  Tokenizer() = default;
  Status build();
  // Control/unknown/user-defined tokens cut out of the text before encoding,
  // into ws->fragments (ws->fragments_next is scratch).
  void split_special(std::string_view text, bool parse_special, TokenizerWorkspace *ws) const;
  void encode_text(std::string_view text, bool after_special, TokenizerWorkspace *ws, std::vector<int32_t> *out) const;

  Vocab vocab_;
  PreTokenizerInfo pre_;
  std::vector<TokenType> types_;       // [n_vocab] vocab types, eot/fim texts forced to control
  std::vector<uint8_t> end_of_generation_;  // [n_vocab] 1 where generation stops
  TextToId token_ids_;                 // token text -> id (views into vocab_.tokens)
  TextToId merge_ranks_;               // "left right" -> rank (views into vocab_.merges)
  std::vector<int32_t> special_ids_;   // control/unknown/user-defined, longest text first
  std::vector<std::string> pieces_;    // [n_vocab] token_to_piece with render_special
  size_t max_piece_bytes_ = 0;
  std::vector<int32_t> byte_tokens_;  // [256] SPM byte fallback ids (-1: none)
};

}  // namespace ballast
