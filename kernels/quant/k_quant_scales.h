// The 12-byte packing of eight 6-bit scales and eight 6-bit mins used by
// Q4_K and Q5_K (llama.cpp's `scales[12]`):
//   bytes 0..3 : bits 0..5 = scale[0..3], bits 6..7 = scale[4..7] >> 4
//   bytes 4..7 : bits 0..5 = min[0..3],   bits 6..7 = min[4..7] >> 4
//   bytes 8..11: bits 0..3 = scale[4..7] & 15, bits 4..7 = min[4..7] & 15
#pragma once

#include <cstdint>

namespace ballast {

// Sub-block j (0..7): its 6-bit scale and min.
inline void unpack_scale_min_k4(const uint8_t *packed /* [12] */, int j, uint8_t *scale, uint8_t *min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((packed[j + 4] & 0x0f) | ((packed[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
  }
}

// scales[8], mins[8] each 0..63 -> packed[12].
inline void pack_scales_mins_k4(const uint8_t *scales, const uint8_t *mins, uint8_t *packed) {
  for (int j = 0; j < 4; ++j) {
    packed[j] = static_cast<uint8_t>((scales[j] & 63) | ((scales[j + 4] >> 4) << 6));
    packed[j + 4] = static_cast<uint8_t>((mins[j] & 63) | ((mins[j + 4] >> 4) << 6));
    packed[j + 8] = static_cast<uint8_t>((scales[j + 4] & 0x0f) | ((mins[j + 4] & 0x0f) << 4));
  }
}

}  // namespace ballast
