// kernels/activation/exp_neon.h (the NEON attention's exp) against std::exp:
// relative error ~2e-7 over the range the attention feeds it (x <= 0), the
// clamp below -87 and above 88. Built where the baseline has NEON with FMA
// (aarch64, and the armhf cross build's -mfpu=neon-vfpv4); elsewhere empty.
#include <doctest/doctest.h>

#if defined(__ARM_NEON) && (defined(__aarch64__) || defined(__ARM_FEATURE_FMA))
#include <cmath>

#include "kernels/activation/exp_neon.h"

namespace ballast {
namespace {

float exp_lane0(float x) { return vgetq_lane_f32(exp_clamped_neon(vdupq_n_f32(x)), 0); }

TEST_CASE("NEON exp: relative error within 4e-7 on [-87, 88], clamped outside") {
  double worst = 0.0;
  float worst_x = 0.0f;
  for (int i = -870000; i <= 880000; i += 7) {  // steps of 7e-4, not aligned with ln2
    const float x = static_cast<float>(i) * 1e-4f;
    const double want = std::exp(static_cast<double>(x));
    const double err = std::fabs(static_cast<double>(exp_lane0(x)) - want) / want;
    if (err > worst) {
      worst = err;
      worst_x = x;
    }
  }
  CAPTURE(worst_x);
  MESSAGE("exp_clamped_neon: worst relative error " << worst << " at x = " << worst_x);
  CHECK(worst < 4e-7);
  CHECK(exp_lane0(0.0f) == 1.0f);
  // Four different lanes at once give each lane's own value.
  const float xs[4] = {-0.5f, -3.25f, -20.0f, -86.5f};
  float got[4];
  vst1q_f32(got, exp_clamped_neon(vld1q_f32(xs)));
  for (int l = 0; l < 4; ++l) CHECK(got[l] == exp_lane0(xs[l]));
  // The clamp: below -87 the value of -87 (a normal float), above 88 that of 88.
  CHECK(exp_lane0(-1000.0f) == exp_lane0(-87.0f));
  CHECK(exp_lane0(-87.0f) > 1e-38f);
  CHECK(exp_lane0(1000.0f) == exp_lane0(88.0f));
  CHECK(std::isfinite(exp_lane0(88.0f)));
}

}  // namespace
}  // namespace ballast
#endif
