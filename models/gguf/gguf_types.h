// GGUF on-disk enums, shared by the reader and the writer. Tensor types and
// their block geometry live in kernels/quant/tensor_type.h (included below).
// Numeric values are the file format's, not ours: never renumber.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/quant/tensor_type.h"  // TensorType, TensorTypeInfo, tensor_type_info, ggml_type_name

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

}  // namespace ballast
