// f32 / f16 / bf16 rows behind the same signatures as the block formats.
#include <cstring>

#include "kernels/quant/float16.h"
#include "kernels/quant/quant_rows.h"

namespace ballast {

void dequantize_row_f32(const void *src, float *out, int64_t n) {
  std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
}

void dequantize_row_f16(const void *src, float *out, int64_t n) {
  const uint8_t *bytes = static_cast<const uint8_t *>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, bytes + 2 * i, sizeof h);
    out[i] = f16_to_f32(h);
  }
}

void dequantize_row_bf16(const void *src, float *out, int64_t n) {
  const uint8_t *bytes = static_cast<const uint8_t *>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, bytes + 2 * i, sizeof h);
    out[i] = bf16_to_f32(h);
  }
}

void quantize_row_f32(const float *in, void *dst, int64_t n) {
  std::memcpy(dst, in, static_cast<size_t>(n) * sizeof(float));
}

void quantize_row_f16(const float *in, void *dst, int64_t n) {
  uint8_t *bytes = static_cast<uint8_t *>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = f32_to_f16(in[i]);
    std::memcpy(bytes + 2 * i, &h, sizeof h);
  }
}

void quantize_row_bf16(const float *in, void *dst, int64_t n) {
  uint8_t *bytes = static_cast<uint8_t *>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t h = f32_to_bf16(in[i]);
    std::memcpy(bytes + 2 * i, &h, sizeof h);
  }
}

}  // namespace ballast
