// One table from TensorType to its block geometry and scalar reference
// row functions, so callers (model loading, tools, tests) treat every type alike.
#pragma once

#include <cstdint>

#include "kernels/quant/tensor_type.h"

namespace ballast {

using DequantizeRowFn = void (*)(const void *blocks, float *out, int64_t n);
using QuantizeRowFn = void (*)(const float *in, void *blocks, int64_t n);

struct QuantTypeTraits {
  TensorType type;
  const char *name;           // "Q4_K"
  uint32_t block_elements;    // n must be a multiple of this
  uint32_t block_bytes;
  DequantizeRowFn dequantize_row;
  QuantizeRowFn quantize_row;
};

// nullptr for a type without row functions (every TensorType has them today).
const QuantTypeTraits *quant_type_traits(TensorType type);

// Bytes for a row of n elements, or -1 when n is not a whole number of blocks.
int64_t quant_row_bytes(TensorType type, int64_t n);

}  // namespace ballast
