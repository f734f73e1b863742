// A small GGUF v2/v3 writer. Used by the project's tools to make test models
// (random weights of any supported architecture and type), vocabulary files
// and, in tests, deliberately broken files. Keys and tensors are written in
// insertion order; tensor data is aligned to `alignment` (general.alignment is
// written when it differs from 32).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/gguf/gguf_types.h"
#include "platform/status.h"

namespace ballast {

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t version = 3, uint32_t alignment = kGgufDefaultAlignment);

  void set_u8(const std::string &key, uint8_t value);
  void set_i8(const std::string &key, int8_t value);
  void set_u16(const std::string &key, uint16_t value);
  void set_i16(const std::string &key, int16_t value);
  void set_u32(const std::string &key, uint32_t value);
  void set_i32(const std::string &key, int32_t value);
  void set_u64(const std::string &key, uint64_t value);
  void set_i64(const std::string &key, int64_t value);
  void set_f32(const std::string &key, float value);
  void set_f64(const std::string &key, double value);
  void set_bool(const std::string &key, bool value);
  void set_string(const std::string &key, const std::string &value);
  void set_string_array(const std::string &key, const std::vector<std::string> &values);
  void set_f32_array(const std::string &key, const std::vector<float> &values);
  void set_i32_array(const std::string &key, const std::vector<int32_t> &values);
  void set_u32_array(const std::string &key, const std::vector<uint32_t> &values);
  // Any value, already serialised as GGUF bytes (after the type field).
  void set_raw(const std::string &key, GgufValueType type, std::vector<uint8_t> payload);

  // shape is ne0 first (ne0 = row length, contiguous). `data` must hold
  // exactly the tensor's byte size for `type` (checked by write()).
  void add_tensor(const std::string &name, TensorType type, const std::vector<uint64_t> &shape,
                  std::vector<uint8_t> data);

  // A tensor whose bytes are produced while the file is written, so a big
  // model never sits in memory whole (write_file() streams each tensor to
  // disk as soon as it is produced). `produce` receives an empty vector and
  // must fill it with exactly the tensor's byte size (checked).
  using TensorProducer = std::function<Status(std::vector<uint8_t> &out)>;
  void add_tensor_producer(const std::string &name, TensorType type, const std::vector<uint64_t> &shape,
                           TensorProducer produce);

  size_t key_count() const { return keys_.size(); }
  size_t tensor_count() const { return tensors_.size(); }

  // Serialise the whole file.
  Result<std::vector<uint8_t>> to_bytes() const;
  // Write to `path` via a temporary file and rename, so a reader never sees half a file.
  Status write_file(const std::string &path) const;

  // Byte size of a tensor of `type` and `shape`; error if ne0 is not a
  // multiple of the block size or the product overflows.
  static Result<uint64_t> tensor_bytes(TensorType type, const std::vector<uint64_t> &shape);

 private:
  struct Key {
    std::string name;
    GgufValueType type;
    std::vector<uint8_t> payload;
  };
  struct Tensor {
    std::string name;
    TensorType type;
    std::vector<uint64_t> shape;
    std::vector<uint8_t> data;
    TensorProducer produce;  // set for streamed tensors (then `data` is empty)
  };
  // Emits the file in order through `emit` (bytes, count).
  Status serialize(const std::function<Status(const uint8_t *, size_t)> &emit) const;
  void put_key(const std::string &key, GgufValueType type, std::vector<uint8_t> payload);

  uint32_t version_;
  uint32_t alignment_;
  std::vector<Key> keys_;
  std::vector<Tensor> tensors_;
};

}  // namespace ballast
