// GGUF v2/v3 reader over bytes that someone else owns (normally a read-only
// file mapping). Parsing validates every count, length, offset and product
// against the byte size before use; on failure the Status names the field and
// its byte offset. After a successful parse all views point into the caller's
// bytes, which must outlive the GgufFile.
//
// Rejected (corrupt_file unless noted): truncation anywhere; versions other
// than 2 and 3 and big-endian files (unsupported); counts and lengths the
// file cannot hold; unknown value types; arrays of arrays (unsupported); bool
// bytes other than 0/1; empty or duplicate key and tensor names; n_dims
// outside 1..4; zero, negative (as int64) or overflowing dims and byte sizes;
// unknown tensor types (known ggml types Ballast lacks: unsupported); rows
// that are not whole blocks; general.alignment that is not a u32 power of
// two; tensor offsets unaligned, past the end of the file or overlapping.
// Messages read "<owner> <field> at offset <N>: <what is wrong>", e.g.
// "tensor 3 ('blk.0.attn_q.weight') n_dims at offset 1234: = 7, must be 1..4".
// Implementation: gguf_reader.cpp and the gguf_parse_* files it calls.
//
// CONTRACT: this header is shared by the tokenizer, model config, CLI and
// tests. Extend it; do not change existing signatures without updating users.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/gguf/gguf_types.h"
#include "platform/status.h"

namespace ballast {

// One metadata value. Scalars are decoded; strings and arrays are views.
struct GgufValue {
  GgufValueType type = GgufValueType::uint8;
  // Scalar payload (valid when type is a scalar type).
  union {
    uint64_t u64;
    int64_t i64;
    double f64;
  } number{};
  std::string_view string;  // type == string

  // type == array: element type, count and the first element's address in
  // the file. Strings in an array are length-prefixed; use the accessors.
  GgufValueType array_type = GgufValueType::uint8;
  uint64_t array_count = 0;
  const uint8_t *array_data = nullptr;
  uint64_t array_bytes = 0;  // total bytes of the array's elements in the file

  uint64_t file_offset = 0;  // where the value starts in the file
};

struct GgufKeyValue {
  std::string_view key;
  GgufValue value;
  uint64_t key_offset = 0;  // where the key's name length field starts in the file
};

struct GgufTensorInfo {
  std::string_view name;
  TensorType type = TensorType::f32;
  uint32_t n_dims = 0;
  uint64_t shape[kGgufMaxDims] = {1, 1, 1, 1};  // ne0 first; unused dims are 1
  uint64_t element_count = 0;
  uint64_t byte_size = 0;
  uint64_t data_offset = 0;  // absolute offset in the file
  const uint8_t *data = nullptr;
  uint64_t relative_offset = 0;  // the offset field as stored: relative to the data section
  uint64_t info_offset = 0;      // where this tensor's info (name length field) starts in the file
};

class GgufFile {
 public:
  // Parse `size` bytes at `data`. Never reads outside [data, data + size).
  static Result<GgufFile> parse(const uint8_t *data, size_t size);

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_section_offset() const { return data_section_offset_; }
  size_t file_size() const { return size_; }

  const std::vector<GgufKeyValue> &metadata() const { return metadata_; }
  const std::vector<GgufTensorInfo> &tensors() const { return tensors_; }

  const GgufValue *find(std::string_view key) const;  // nullptr if absent
  const GgufTensorInfo *find_tensor(std::string_view name) const;  // nullptr if absent

  // Typed getters: not_found -> invalid_argument naming the key; wrong type
  // -> corrupt_file naming key and types. Integer getters accept any integer
  // type whose value fits.
  Result<uint64_t> get_uint(std::string_view key) const;
  Result<int64_t> get_int(std::string_view key) const;
  Result<double> get_float(std::string_view key) const;  // f32 or f64
  Result<bool> get_bool(std::string_view key) const;
  Result<std::string_view> get_string(std::string_view key) const;
  // Arrays, copied out (only called at load time).
  Result<std::vector<std::string_view>> get_string_array(std::string_view key) const;
  Result<std::vector<float>> get_f32_array(std::string_view key) const;
  Result<std::vector<int32_t>> get_i32_array(std::string_view key) const;  // any int type that fits

  // Default-valued variants for optional keys (still an error on a wrong type).
  Result<uint64_t> get_uint_or(std::string_view key, uint64_t fallback) const;
  Result<double> get_float_or(std::string_view key, double fallback) const;
  Result<bool> get_bool_or(std::string_view key, bool fallback) const;
  Result<std::string_view> get_string_or(std::string_view key, std::string_view fallback) const;

  // Render one value for humans (`ballast info`): arrays are abbreviated to
  // max_array_items ("[1, 2, ...] (1000 x i32)"); strings are quoted, control
  // characters escaped, cut after 256 bytes with the full length noted.
  std::string value_to_string(const GgufValue &value, size_t max_array_items = 8) const;

 private:
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_section_offset_ = 0;
  std::vector<GgufKeyValue> metadata_;
  std::vector<GgufTensorInfo> tensors_;
};

}  // namespace ballast
