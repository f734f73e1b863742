// Streaming detokenizer for the decode loop: token pieces go in one at a
// time, and only whole UTF-8 characters come out. An incomplete character at
// the end of a piece (byte tokens, or BPE tokens that split a character) is
// held in a 4-byte buffer until the rest arrives. Bytes that can never form a
// character come out as U+FFFD, so the output is always valid UTF-8.
// State is fixed-size; push() and flush() never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/status.h"

namespace ballast {

class Tokenizer;

class StreamDetokenizer {
 public:
  // `tokenizer` must outlive this object. render_special: control tokens
  // give their text (e.g. "<|im_end|>") instead of nothing.
  explicit StreamDetokenizer(const Tokenizer &tokenizer, bool render_special = false);

  // Bytes `dst` must hold for any single push() or flush().
  size_t max_output_bytes() const;

  // Feed token `id`; write the complete characters now available to
  // dst[0 .. *written). Fails (writing nothing) if capacity is below max_output_bytes().
  Status push(int32_t id, char *dst, size_t capacity, size_t *written);
  // End of stream: a held incomplete character comes out as U+FFFD.
  Status flush(char *dst, size_t capacity, size_t *written);
  // Forget any held bytes.
  void reset() { held_length_ = 0; }

  // Convenience for tools and tests: append to a string (may allocate).
  void push(int32_t id, std::string *out);
  void flush(std::string *out);

 private:
  // Feed one byte; writes to dst through *n.
  void feed(uint8_t byte, char *dst, size_t *n);
  void emit_replacement(char *dst, size_t *n);

  const Tokenizer *tokenizer_;
  bool render_special_;
  uint8_t held_[4] = {0, 0, 0, 0};  // bytes of the incomplete character so far
  uint8_t held_length_ = 0;
  uint8_t expected_length_ = 0;     // bytes that character needs in total
};

}  // namespace ballast
