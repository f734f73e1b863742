// Tensor element types (ggml_type numbering) and their block geometry. This
// lives in kernels/ (the lowest layer that needs it) so that kernels never
// depend on models/; models/gguf/gguf_types.h includes it. Numeric values are
// the GGUF file format's, not ours: never renumber.
#pragma once

#include <cstdint>

namespace ballast {

// Only the types Ballast recognises are named; any other value is rejected by
// the reader with a clear error.
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
  const char *name;         // "Q4_K", as llama.cpp prints it
  uint32_t block_elements;  // elements per block (1 for plain floats)
  uint32_t block_bytes;     // bytes per block
};

// nullptr when `raw` is not a type Ballast knows.
const TensorTypeInfo *tensor_type_info(uint32_t raw);
inline const TensorTypeInfo *tensor_type_info(TensorType type) { return tensor_type_info(static_cast<uint32_t>(type)); }
// Name of a raw ggml type id, including ones Ballast does not support ("IQ2_XXS"), or "unknown".
const char *ggml_type_name(uint32_t raw);

}  // namespace ballast
