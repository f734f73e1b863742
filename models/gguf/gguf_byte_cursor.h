// Bounds-checked little-endian reads over a byte range, for the GGUF reader.
// Every read checks the bytes it needs against what remains before the end
// of the range and, on failure, returns a Status naming the field and its
// byte offset: "key 3 ('general.name') string_length at offset 120: needs 8
// bytes, only 5 remain before end of file (file size 125)".
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "platform/status.h"

namespace ballast {

// Whose field a message is about: "header", "key 3", "key 3 ('general.name')",
// "tensor 0 ('token_embd.weight')", "key 5 ('tokenizer.ggml.tokens') array element 7".
class FieldOwner {
 public:
  static FieldOwner header() { return FieldOwner("header", 0, {}, false); }
  static FieldOwner key(uint64_t index, std::string_view name = {}) { return FieldOwner("key", index, name, true); }
  static FieldOwner tensor(uint64_t index, std::string_view name = {}) {
    return FieldOwner("tensor", index, name, true);
  }
  // The same owner, narrowed to one element of its array value.
  FieldOwner element(uint64_t element_index) const {
    FieldOwner narrowed = *this;
    narrowed.has_element_ = true;
    narrowed.element_ = element_index;
    return narrowed;
  }
  std::string describe() const;

 private:
  FieldOwner(const char *kind, uint64_t index, std::string_view name, bool indexed)
      : kind_(kind), index_(index), name_(name), indexed_(indexed) {}

  const char *kind_;
  uint64_t index_;
  std::string_view name_;  // empty until the name has been read
  bool indexed_;
  bool has_element_ = false;
  uint64_t element_ = 0;
};

// Quote a name from the file for a message: non-printable bytes as \xNN,
// cut to `max_bytes` with "..." appended.
std::string printable_name(std::string_view name, size_t max_bytes = 64);

// An error about one field: "<owner> <field> at offset <offset>: <printf text>".
Status field_error(StatusCode code, const FieldOwner &owner, const char *field, uint64_t offset, const char *format,
                   ...) __attribute__((format(printf, 5, 6)));

class ByteCursor {
 public:
  ByteCursor(const uint8_t *data, uint64_t size) : data_(data), size_(size) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - offset_; }
  const uint8_t *here() const { return data_ + offset_; }

  // Error unless `bytes` more bytes exist at the current offset.
  Status require(uint64_t bytes, const FieldOwner &owner, const char *field) const;
  Status skip(uint64_t bytes, const FieldOwner &owner, const char *field) {
    BALLAST_RETURN_IF_ERROR(require(bytes, owner, field));
    offset_ += bytes;
    return Status::ok();
  }

  // One little-endian scalar (all supported hosts are little-endian).
  template <typename T>
  Status read(T *out, const FieldOwner &owner, const char *field) {
    static_assert(std::is_trivially_copyable<T>::value, "read() copies raw bytes");
    BALLAST_RETURN_IF_ERROR(require(sizeof(T), owner, field));
    std::memcpy(out, data_ + offset_, sizeof(T));
    offset_ += sizeof(T);
    return Status::ok();
  }

  // A GGUF string: u64 byte length (field "<prefix>_length"), then the bytes
  // (field "<prefix>"). The view points into the range.
  Status read_string(std::string_view *out, const FieldOwner &owner, const char *length_field,
                     const char *bytes_field);

 private:
  const uint8_t *data_;
  uint64_t size_;
  uint64_t offset_ = 0;
};

}  // namespace ballast
