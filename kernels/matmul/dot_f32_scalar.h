// f32 dot product used by the scalar matmul kernels (internal to kernels/matmul).
#pragma once

#include <cstdint>

namespace ballast {
namespace matmul_detail {

// Eight independent partial sums combined in a fixed order: reproducible
// results, and the compiler can keep the lanes in one vector register.
inline float dot_f32_lanes(const float *a, const float *b, int64_t n) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int lane = 0; lane < 8; ++lane) lanes[lane] += a[i + lane] * b[i + lane];
  }
  for (; i < n; ++i) lanes[i % 8] += a[i] * b[i];
  return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

}  // namespace matmul_detail
}  // namespace ballast
