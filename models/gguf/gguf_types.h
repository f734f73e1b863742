// GGUF on-disk enums and tensor block geometry, shared by the reader and the
// writer. Numeric values are the file format's, not ours: never renumber.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ballast {

constexpr uint32_t kGgufMagic = 0x46554747u;  // "GGUF" read as little-endian u32
constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr uint32_t kGgufMaxDims = 4;

// Metadata value types (gguf_metadata_value_type).
enum class GgufValueType : uint32_t {
  uint8 = 0,
  int8 = 1,
  uint16 = 2,
  int16 = 3,
  uint32 = 4,
  int32 = 5,
  float32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  uint64 = 10,
  int64 = 11,
  float64 = 12,
};

// Size in bytes of a scalar value type; 0 for string/array/unknown.
size_t gguf_scalar_size(GgufValueType type);
const char *gguf_value_type_name(GgufValueType type);

// Tensor element types (ggml_type). Only the ones Ballast recognises are
// named; any other value is rejected by the reader with a clear error.
enum class TensorType : uint32_t {
  f32 = 0,
  f16 = 1,
  q4_0 = 2,
  q4_1 = 3,
  q5_0 = 6,
  q5_1 = 7,
  q8_0 = 8,
  q4_k = 12,
  q5_k = 13,
  q6_k = 14,
  bf16 = 30,
};

// Block geometry: a row of n elements (n a multiple of block_elements) takes
// n / block_elements * block_bytes bytes.
struct TensorTypeInfo {
  TensorType type;
  const char *name;       // "Q4_K", as llama.cpp prints it
  uint32_t block_elements;  // elements per block (1 for plain floats)
  uint32_t block_bytes;     // bytes per block
};

// nullptr when `raw` is not a type Ballast knows.
const TensorTypeInfo *tensor_type_info(uint32_t raw);
inline const TensorTypeInfo *tensor_type_info(TensorType type) { return tensor_type_info(static_cast<uint32_t>(type)); }
// Name of a raw ggml type id, including ones Ballast does not support ("IQ2_XXS"), or "type#N".
const char *ggml_type_name(uint32_t raw);

}  // namespace ballast
