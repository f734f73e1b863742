#include "models/tokenizer/stream_detokenizer.h"

#include <string_view>

#include "models/tokenizer/tokenizer.h"

namespace ballast {
namespace {

// Length of the character a lead byte starts (0: not a valid lead byte).
uint8_t lead_length(uint8_t b) {
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

// Valid range of the second byte after `lead` (rules out overlong forms,
// surrogates and code points past U+10FFFF).
bool second_byte_ok(uint8_t lead, uint8_t b) {
  switch (lead) {
    case 0xE0: return b >= 0xA0 && b <= 0xBF;
    case 0xED: return b >= 0x80 && b <= 0x9F;
    case 0xF0: return b >= 0x90 && b <= 0xBF;
    case 0xF4: return b >= 0x80 && b <= 0x8F;
    default: return (b & 0xC0) == 0x80;
  }
}

}  // namespace

StreamDetokenizer::StreamDetokenizer(const Tokenizer &tokenizer, bool render_special)
    : tokenizer_(&tokenizer), render_special_(render_special) {}

size_t StreamDetokenizer::max_output_bytes() const {
  // Every input byte (held ones included) can become a 3-byte U+FFFD.
  return 3 * (tokenizer_->max_piece_bytes() + sizeof(held_));
}

void StreamDetokenizer::emit_replacement(char *dst, size_t *n) {
  dst[(*n)++] = static_cast<char>(0xEF);
  dst[(*n)++] = static_cast<char>(0xBF);
  dst[(*n)++] = static_cast<char>(0xBD);
}

void StreamDetokenizer::feed(uint8_t byte, char *dst, size_t *n) {
  if (held_length_ > 0) {
    const bool fits = held_length_ == 1 ? second_byte_ok(held_[0], byte) : (byte & 0xC0) == 0x80;
    if (fits) {
      held_[held_length_++] = byte;
      if (held_length_ == expected_length_) {
        for (uint8_t i = 0; i < held_length_; ++i) dst[(*n)++] = static_cast<char>(held_[i]);
        held_length_ = 0;
      }
      return;
    }
    // The held character can never complete: replace it, then treat this byte afresh.
    emit_replacement(dst, n);
    held_length_ = 0;
  }
  const uint8_t length = lead_length(byte);
  if (length == 1) {
    dst[(*n)++] = static_cast<char>(byte);
  } else if (length == 0) {
    emit_replacement(dst, n);
  } else {
    held_[0] = byte;
    held_length_ = 1;
    expected_length_ = length;
  }
}

Status StreamDetokenizer::push(int32_t id, char *dst, size_t capacity, size_t *written) {
  *written = 0;
  if (capacity < max_output_bytes()) {
    return make_status(StatusCode::invalid_argument, "detokenizer buffer holds %zu bytes, needs %zu", capacity,
                       max_output_bytes());
  }
  const std::string_view piece = tokenizer_->token_to_piece(id, render_special_);
  size_t n = 0;
  for (char c : piece) feed(static_cast<uint8_t>(c), dst, &n);
  *written = n;
  return Status::ok();
}

Status StreamDetokenizer::flush(char *dst, size_t capacity, size_t *written) {
  *written = 0;
  if (held_length_ == 0) return Status::ok();
  if (capacity < 3) return make_status(StatusCode::invalid_argument, "detokenizer buffer holds %zu bytes, needs 3", capacity);
  size_t n = 0;
  emit_replacement(dst, &n);
  held_length_ = 0;
  *written = n;
  return Status::ok();
}

void StreamDetokenizer::push(int32_t id, std::string *out) {
  const size_t start = out->size();
  out->resize(start + max_output_bytes());
  size_t written = 0;
  Status status = push(id, &(*out)[start], max_output_bytes(), &written);
  out->resize(start + (status.is_ok() ? written : 0));
}

void StreamDetokenizer::flush(std::string *out) {
  char buffer[4];
  size_t written = 0;
  if (flush(buffer, sizeof(buffer), &written).is_ok()) out->append(buffer, written);
}

}  // namespace ballast
