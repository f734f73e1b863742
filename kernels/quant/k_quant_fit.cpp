#include "kernels/quant/k_quant_fit.h"

#include <cmath>
#include <limits>

#include "kernels/quant/quant_math.h"

namespace ballast {
namespace {

// Each starting scale gets this many least-squares updates; every parameter
// set visited (start and updates) is scored, the best one wins.
constexpr int kRefineSteps = 1;

}  // namespace

void fit_scale_min(const float *x, int count, int q_max, float *scale, float *min) {
  float lo = 0.0f, hi = x[0];  // lo <= 0: the format can only subtract a min
  for (int i = 0; i < count; ++i) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  *scale = 0.0f;
  *min = -lo;
  if (!(hi > lo)) return;  // constant block (>= 0: representable only as 0; < 0: as -min)

  float best_error = std::numeric_limits<float>::infinity();
  // Starting points: the min..max range spread over q_max + delta steps.
  static const float kDeltas[] = {0.0f, 0.5f, 1.0f, 2.0f};
  for (float delta : kDeltas) {
    float s = (hi - lo) / (static_cast<float>(q_max) + delta);
    float m = -lo;
    for (int step = 0;; ++step) {
      // One pass: grid assignment for (s, m), its squared error, and the
      // least-squares sums for the next (s, m).
      const float inverse = quant_detail::safe_inverse(s);
      float error = 0, sum_q = 0, sum_qq = 0, sum_x = 0, sum_qx = 0;
      for (int i = 0; i < count; ++i) {
        const float q = static_cast<float>(quant_detail::round_clamped((x[i] + m) * inverse, 0, q_max));
        const float diff = s * q - m - x[i];
        error += diff * diff;
        sum_q += q;
        sum_qq += q * q;
        sum_x += x[i];
        sum_qx += q * x[i];
      }
      if (error < best_error) {
        best_error = error;
        *scale = s;
        *min = m;
      }
      if (step == kRefineSteps) break;
      const float det = sum_qq * static_cast<float>(count) - sum_q * sum_q;
      if (!(det > 0)) break;
      float new_s = (static_cast<float>(count) * sum_qx - sum_q * sum_x) / det;
      float new_m = (sum_q * sum_qx - sum_qq * sum_x) / det;
      if (new_m < 0) {  // the format cannot add an offset: refit the scale alone
        new_m = 0;
        new_s = sum_qx / sum_qq;
      }
      if (!(new_s > 0)) break;
      s = new_s;
      m = new_m;
    }
  }
}

float fit_symmetric_scale(const float *x, int count, int q_min, int q_max) {
  const float vmax = quant_detail::signed_absmax(x, count);
  if (vmax == 0.0f) return 0.0f;
  float best_error = std::numeric_limits<float>::infinity();
  float best = 0.0f;
  static const float kDeltas[] = {0.0f, 0.5f, 1.0f, 2.0f};
  for (float delta : kDeltas) {
    // vmax lands on q_min + delta (q_min < 0), i.e. a slightly larger step.
    float s = vmax / (static_cast<float>(q_min) + delta);
    for (int step = 0;; ++step) {
      const float inverse = quant_detail::safe_inverse(s);
      float error = 0, sum_qq = 0, sum_qx = 0;
      for (int i = 0; i < count; ++i) {
        const float q = static_cast<float>(quant_detail::round_clamped(x[i] * inverse, q_min, q_max));
        const float diff = s * q - x[i];
        error += diff * diff;
        sum_qq += q * q;
        sum_qx += q * x[i];
      }
      if (error < best_error) {
        best_error = error;
        best = s;
      }
      if (step == kRefineSteps || !(sum_qq > 0)) break;
      s = sum_qx / sum_qq;
    }
  }
  return best;
}

KQuantSuperBlockScales fit_k4_super_block(const float *x, int q_max) {
  using namespace quant_detail;
  KQuantSuperBlockScales out{};
  float scale[8], min[8];
  float max_scale = 0.0f, max_min = 0.0f;
  for (int j = 0; j < 8; ++j) {
    fit_scale_min(x + 32 * j, 32, q_max, &scale[j], &min[j]);
    if (scale[j] > max_scale) max_scale = scale[j];
    if (min[j] > max_min) max_min = min[j];
  }
  out.d = f16_scale(max_scale / 63.0f);
  out.dmin = f16_scale(max_min / 63.0f);
  const float d = f16_to_f32(out.d);
  const float dmin = f16_to_f32(out.dmin);
  const float inverse_d = safe_inverse(d);
  const float inverse_dmin = safe_inverse(dmin);
  for (int j = 0; j < 8; ++j) {
    out.scales[j] = static_cast<uint8_t>(round_clamped(scale[j] * inverse_d, 0, 63));
    out.mins[j] = static_cast<uint8_t>(round_clamped(min[j] * inverse_dmin, 0, 63));
    out.sub_scale[j] = d * static_cast<float>(out.scales[j]);
    out.sub_min[j] = dmin * static_cast<float>(out.mins[j]);
  }
  return out;
}

}  // namespace ballast
