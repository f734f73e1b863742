// BF16 matmul variants (every runnable variant with BF16 kernels; the
// avx512bf16 one is the point) against the scalar reference, at the widths
// where vdpbf16ps kernels have tails: any cols >= 1 (1, 5, 31, 32, 33, 63,
// 64, 65, 97, 577), row counts that are not a multiple of the 4-row tile, and
// batches of 1 (decode) to 128 (not a multiple of the 3-row activation tile).
//  - random data: within 1e-5 of sum |w * x| (the other float tests' bound;
//    vdpbf16ps products are exact, only the f32 sums round differently);
//  - integer-valued data (every partial sum exact in f32): bit for bit;
//  - prefill equals row_dot bit for bit (the tiles keep decode's arithmetic).
// A variant the CPU lacks is reported with MESSAGE as skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_variants.h"
#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/quant/quant_rows.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

const int64_t kCols[] = {1, 5, 31, 32, 33, 63, 64, 65, 97, 577};
const int64_t kRows[] = {1, 3, 4, 5, 13};
const int64_t kBatches[] = {1, 2, 3, 4, 7, 128};

struct Bf16Problem {
  int64_t rows, cols, batch;
  std::vector<uint8_t> w;        // [rows][cols] bf16
  std::vector<uint8_t> x;        // [batch][cols] bf16 (the scalar converter's bytes)
  std::vector<double> abs_sum;   // [batch][rows] sum |w * x|
};

// Random normal values rounded to bf16 (exact = false), or small powers of
// two (1..8, signed weights) whose sums are exact in f32 (exact = true).
Bf16Problem make_problem(int64_t rows, int64_t cols, int64_t batch, bool exact, std::mt19937 &rng) {
  Bf16Problem p{rows, cols, batch, {}, {}, {}};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto value = [&](bool weight) {
    if (!exact) return normal(rng) * (weight ? 0.5f : 2.0f);
    const float v = static_cast<float>(1 << (rng() % 4));
    return weight && rng() % 2 ? -v : v;
  };
  std::vector<float> wf(static_cast<size_t>(rows * cols)), xf(static_cast<size_t>(batch * cols));
  for (float &v : wf) v = value(true);
  for (float &v : xf) v = value(false);
  p.w.resize(static_cast<size_t>(rows * cols * 2));
  p.x.resize(static_cast<size_t>(batch * cols * 2));
  quantize_row_bf16(wf.data(), p.w.data(), rows * cols);
  const QuantizedMatmulKernels *scalar = matmul_q8_kernels_scalar(TensorType::bf16);
  for (int64_t b = 0; b < batch; ++b) scalar->quantize_activations(xf.data() + b * cols, p.x.data() + b * cols * 2, cols);
  std::vector<float> wv(wf.size()), xv(xf.size());
  dequantize_row_bf16(p.w.data(), wv.data(), rows * cols);
  dequantize_row_bf16(p.x.data(), xv.data(), batch * cols);
  p.abs_sum.assign(static_cast<size_t>(batch * rows), 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0.0;
      for (int64_t c = 0; c < cols; ++c) sum += std::fabs(double{wv[r * cols + c]} * xv[b * cols + c]);
      p.abs_sum[b * rows + r] = sum;
    }
  }
  return p;
}

// Two row ranges, split off the 4-row tile grid (as the thread pool could).
std::vector<float> run(const QuantizedMatmulKernels &k, const Bf16Problem &p) {
  std::vector<float> y(static_cast<size_t>(p.batch * p.rows), std::nanf(""));
  const int64_t split = p.rows / 2;
  k.matmul(p.w.data(), p.x.data(), y.data(), p.rows, p.cols, p.batch, 0, split);
  k.matmul(p.w.data(), p.x.data(), y.data(), p.rows, p.cols, p.batch, split, p.rows);
  return y;
}

std::string label(const MatmulVariant &v, const Bf16Problem &p) {
  return std::string(v.name) + " bf16 rows=" + std::to_string(p.rows) + " cols=" + std::to_string(p.cols) +
         " batch=" + std::to_string(p.batch);
}

}  // namespace

TEST_CASE("BF16 matmul variants match scalar at every width, decode and prefill") {
  size_t n = 0;
  const MatmulVariant *variants = compiled_matmul_variants(&n);
  const QuantizedMatmulKernels &scalar = *matmul_q8_kernels_scalar(TensorType::bf16);
  std::mt19937 rng(2024);
  bool saw_avx512bf16 = false;
  for (size_t i = 0; i < n; ++i) {
    const MatmulVariant &v = variants[i];
    if (std::string(v.name) == "scalar") continue;
    if (std::string(v.name) == "avx512bf16") saw_avx512bf16 = true;
    if (!v.cpu_supports(host_cpu_features())) {
      MESSAGE("skipped BF16 matmul variant " << std::string(v.name) << ": this CPU lacks it");
      continue;
    }
    const QuantizedMatmulKernels *k = v.kernels(TensorType::bf16);
    if (k == nullptr) continue;
    REQUIRE(k->activation == ActivationType::bf16);
    for (int64_t cols : kCols) {
      for (int64_t rows : kRows) {
        for (int64_t batch : kBatches) {
          const Bf16Problem p = make_problem(rows, cols, batch, false, rng);
          const std::vector<float> want = run(scalar, p);
          const std::vector<float> got = run(*k, p);
          int far = 0, unlike_row_dot = 0;
          for (int64_t b = 0; b < batch; ++b) {
            for (int64_t r = 0; r < rows; ++r) {
              const size_t at = static_cast<size_t>(b * rows + r);
              if (!(std::fabs(double{got[at]} - want[at]) <= 1e-5 * p.abs_sum[at] + 1e-30) && far++ == 0) {
                FAIL_CHECK(label(v, p) << " at b=" << b << " r=" << r << ": " << got[at] << " vs " << want[at]);
              }
              const float single = k->row_dot(p.w.data() + r * cols * 2, p.x.data() + b * cols * 2, cols);
              if (single != got[at]) ++unlike_row_dot;
            }
          }
          CHECK_MESSAGE(far == 0, label(v, p));
          CHECK_MESSAGE(unlike_row_dot == 0, label(v, p) << " (prefill vs row_dot)");
          const Bf16Problem e = make_problem(rows, cols, batch, true, rng);
          CHECK_MESSAGE(run(*k, e) == run(scalar, e), label(v, e) << " (integer data)");
        }
      }
    }
  }
  if (!saw_avx512bf16) MESSAGE("this build has no avx512bf16 variant (compiler or architecture): not tested");
}
