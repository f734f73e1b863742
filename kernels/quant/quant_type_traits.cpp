#include "kernels/quant/quant_type_traits.h"

#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {
namespace {

constexpr QuantTypeTraits kTraits[] = {
    {TensorType::f32, "F32", 1, 4, dequantize_row_f32, quantize_row_f32},
    {TensorType::f16, "F16", 1, 2, dequantize_row_f16, quantize_row_f16},
    {TensorType::bf16, "BF16", 1, 2, dequantize_row_bf16, quantize_row_bf16},
    {TensorType::q4_0, "Q4_0", kQuantBlock, sizeof(BlockQ4_0), dequantize_row_q4_0, quantize_row_q4_0},
    {TensorType::q4_1, "Q4_1", kQuantBlock, sizeof(BlockQ4_1), dequantize_row_q4_1, quantize_row_q4_1},
    {TensorType::q5_0, "Q5_0", kQuantBlock, sizeof(BlockQ5_0), dequantize_row_q5_0, quantize_row_q5_0},
    {TensorType::q5_1, "Q5_1", kQuantBlock, sizeof(BlockQ5_1), dequantize_row_q5_1, quantize_row_q5_1},
    {TensorType::q8_0, "Q8_0", kQuantBlock, sizeof(BlockQ8_0), dequantize_row_q8_0, quantize_row_q8_0},
    {TensorType::q4_k, "Q4_K", kQuantSuperBlock, sizeof(BlockQ4_K), dequantize_row_q4_k, quantize_row_q4_k},
    {TensorType::q5_k, "Q5_K", kQuantSuperBlock, sizeof(BlockQ5_K), dequantize_row_q5_k, quantize_row_q5_k},
    {TensorType::q6_k, "Q6_K", kQuantSuperBlock, sizeof(BlockQ6_K), dequantize_row_q6_k, quantize_row_q6_k},
};

}  // namespace

const QuantTypeTraits *quant_type_traits(TensorType type) {
  for (const QuantTypeTraits &traits : kTraits) {
    if (traits.type == type) return &traits;
  }
  return nullptr;
}

int64_t quant_row_bytes(TensorType type, int64_t n) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  if (traits == nullptr || n < 0 || n % traits->block_elements != 0) return -1;
  return n / traits->block_elements * traits->block_bytes;
}

}  // namespace ballast
