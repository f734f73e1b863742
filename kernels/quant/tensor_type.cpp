#include "kernels/quant/tensor_type.h"

namespace ballast {
namespace {
constexpr TensorTypeInfo kTensorTypes[] = {
    {TensorType::f32, "F32", 1, 4},
    {TensorType::f16, "F16", 1, 2},
    {TensorType::bf16, "BF16", 1, 2},
    {TensorType::q4_0, "Q4_0", 32, 2 + 16},
    {TensorType::q4_1, "Q4_1", 32, 2 + 2 + 16},
    {TensorType::q5_0, "Q5_0", 32, 2 + 4 + 16},
    {TensorType::q5_1, "Q5_1", 32, 2 + 2 + 4 + 16},
    {TensorType::q8_0, "Q8_0", 32, 2 + 32},
    {TensorType::q4_k, "Q4_K", 256, 2 + 2 + 12 + 128},
    {TensorType::q5_k, "Q5_K", 256, 2 + 2 + 12 + 32 + 128},
    {TensorType::q6_k, "Q6_K", 256, 128 + 64 + 16 + 2},
};
}  // namespace

const TensorTypeInfo *tensor_type_info(uint32_t raw) {
  for (const TensorTypeInfo &info : kTensorTypes) {
    if (static_cast<uint32_t>(info.type) == raw) return &info;
  }
  return nullptr;
}

const char *ggml_type_name(uint32_t raw) {
  if (const TensorTypeInfo *info = tensor_type_info(raw)) return info->name;
  switch (raw) {
    case 9: return "Q8_1";
    case 10: return "Q2_K";
    case 11: return "Q3_K";
    case 15: return "Q8_K";
    case 16: return "IQ2_XXS";
    case 17: return "IQ2_XS";
    case 18: return "IQ3_XXS";
    case 19: return "IQ1_S";
    case 20: return "IQ4_NL";
    case 21: return "IQ3_S";
    case 22: return "IQ2_S";
    case 23: return "IQ4_XS";
    case 24: return "I8";
    case 25: return "I16";
    case 26: return "I32";
    case 27: return "I64";
    case 28: return "F64";
    case 29: return "IQ1_M";
    case 34: return "TQ1_0";
    case 35: return "TQ2_0";
    case 39: return "MXFP4";
    default: return "unknown";
  }
}

}  // namespace ballast
