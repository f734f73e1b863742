// Prefill backends (runtime/backends/) against the scalar f32 reference on
// awkward shapes, with the weight conversion split into several chunks, and
// whole-model prefill logits with each backend against native. Backends not
// in this build, or that the CPU cannot run (oneDNN bf16 without
// AVX512_BF16/AMX), are reported as skipped.
//
// Tolerances (relative to sum |w * x| of the output): f32 backends 1e-5
// (accumulation order only: the weights are dequantized exactly); bf16 8e-3
// (each input and weight rounded to 8 significant bits: <= 2^-8 relative
// each, so <= ~0.8% of sum |w * x| in the worst case).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/matmul/matmul_scalar.h"
#include "kernels/quant/quant_type_traits.h"
#include "runtime/backends/backend_linear.h"
#include "runtime/backends/prefill_backend.h"
#include "runtime/backends/prefill_policy.h"
#include "runtime/threading/thread_pool.h"
#include "tests/engine/engine_test_support.h"

using namespace ballast;

namespace {

struct BackendCase {
  PrefillBackendKind kind;
  PrefillOperand operand;
  double tolerance;
  const char *label;
};

const BackendCase kBackendCases[] = {
    {PrefillBackendKind::onednn, PrefillOperand::f32, 1e-5, "onednn f32"},
    {PrefillBackendKind::onednn, PrefillOperand::bf16, 8e-3, "onednn bf16"},
    {PrefillBackendKind::xnnpack, PrefillOperand::f32, 1e-5, "xnnpack f32"},
};

// The backend for `c`, or nullptr with a MESSAGE when this build/CPU cannot run it.
std::unique_ptr<PrefillBackend> make_backend_or_skip(const BackendCase &c, uint32_t threads) {
  if (!prefill_backend_compiled(c.kind)) {
    MESSAGE("skipped " << c.label << ": not in this build");
    return nullptr;
  }
  auto backend = create_prefill_backend(c.kind, c.operand, threads);
  REQUIRE_MESSAGE(backend.is_ok(), backend.status().to_string());
  // Probe one tiny product: oneDNN reports an unimplemented bf16 matmul only here.
  const std::vector<uint16_t> one_bf16(4, 0x3f80);
  const std::vector<float> one_f32(4, 1.0f);
  std::vector<float> out(4, 0.0f);
  PrefillMatmul m;
  m.in = c.operand == PrefillOperand::bf16 ? static_cast<const void *>(one_bf16.data()) : one_f32.data();
  m.weights = m.in;
  m.out = out.data();
  m.batch = 2;
  m.rows = 2;
  m.cols = 2;
  m.out_stride = 2;
  const Status probe = backend.value()->matmul(m);
  if (probe.code() == StatusCode::unsupported) {
    MESSAGE("skipped " << c.label << ": " << probe.message());
    return nullptr;
  }
  REQUIRE_MESSAGE(probe.is_ok(), probe.to_string());
  CHECK(out[0] == 2.0f);
  return std::move(backend).value();
}

struct Problem {
  TensorType type;
  int64_t rows, cols, batch;
  std::vector<uint8_t> weights;  // [rows][row_bytes]
  std::vector<float> x;          // [batch][cols]
  std::vector<float> want;       // [batch][rows] scalar reference
  std::vector<double> abs_sum;   // [batch][rows] sum |w * x|
};

Problem make_problem(TensorType type, int64_t rows, int64_t cols, int64_t batch, std::mt19937 &rng) {
  Problem p{type, rows, cols, batch, {}, {}, {}, {}};
  const QuantTypeTraits *traits = quant_type_traits(type);
  const int64_t row_bytes = quant_row_bytes(type, cols);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(rows * cols)), row(static_cast<size_t>(cols));
  p.weights.resize(static_cast<size_t>(rows * row_bytes));
  for (int64_t r = 0; r < rows; ++r) {
    for (float &v : row) v = normal(rng);
    traits->quantize_row(row.data(), p.weights.data() + r * row_bytes, cols);
    traits->dequantize_row(p.weights.data() + r * row_bytes, w.data() + r * cols, cols);
  }
  p.x.resize(static_cast<size_t>(batch * cols));
  for (float &v : p.x) v = normal(rng);
  p.want.resize(static_cast<size_t>(batch * rows));
  matmul_kernels_scalar(type)->matmul(p.weights.data(), p.x.data(), p.want.data(), rows, cols, batch, 0, rows);
  p.abs_sum.resize(p.want.size());
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t r = 0; r < rows; ++r) {
      double s = 0;
      for (int64_t c = 0; c < cols; ++c) s += std::fabs(double{w[r * cols + c]} * p.x[b * cols + c]);
      p.abs_sum[b * rows + r] = s;
    }
  }
  return p;
}

}  // namespace

TEST_CASE("prefill backends match the scalar reference on awkward shapes and sliced weights, on 1 and 2 threads") {
  std::mt19937 rng(21);
  auto pool2 = ThreadPool::create(2);
  REQUIRE(pool2.is_ok());
  for (const BackendCase &c : kBackendCases) {
    CAPTURE(c.label);
    std::unique_ptr<PrefillBackend> backend = make_backend_or_skip(c, 2);
    if (backend == nullptr) continue;
    CHECK(backend->callers() == 2);
    for (TensorType type : {TensorType::f32, TensorType::f16, TensorType::q8_0, TensorType::q4_0, TensorType::q4_k,
                            TensorType::q6_k}) {
      const int64_t block = quant_type_traits(type)->block_elements;
      for (int64_t rows : {1, 7, 33}) {
        for (int64_t batch : {2, 3, 17}) {
          const int64_t cols = block == 1 ? 45 : block * 3;
          CAPTURE(tensor_type_info(type)->name);
          CAPTURE(rows);
          CAPTURE(batch);
          const Problem p = make_problem(type, rows, cols, batch, rng);
          // Slices of 5 rows: several per thread and a short last one.
          const uint64_t slice_bytes = static_cast<uint64_t>(5 * cols * prefill_operand_bytes(c.operand));
          std::vector<uint8_t> scratch_bytes(prefill_scratch_bytes(slice_bytes, 17, static_cast<uint64_t>(cols), 2) + 64);
          const PrefillScratch scratch = carve_prefill_scratch(scratch_bytes.data(), slice_bytes, 17,
                                                               static_cast<uint64_t>(cols), 2);
          REQUIRE(prefill_slice_rows(scratch, cols, c.operand) == 5);
          std::vector<float> one_thread;
          for (ThreadPool *pool : {static_cast<ThreadPool *>(nullptr), pool2.value().get()}) {
            const uint32_t threads = pool == nullptr ? 1 : pool->threads();
            CAPTURE(threads);
            std::vector<float> got(p.want.size(), std::nanf(""));
            const Status s = backend_linear(*backend, type, p.weights.data(), rows, cols, p.x.data(), batch, got.data(),
                                            scratch, pool);
            REQUIRE_MESSAGE(s.is_ok(), s.to_string());
            int bad = 0;
            for (size_t i = 0; i < got.size(); ++i) {
              if (!(std::fabs(double{got[i]} - p.want[i]) <= c.tolerance * p.abs_sum[i] + 1e-30) && bad++ == 0) {
                FAIL_CHECK("at " << i << ": " << got[i] << " vs " << p.want[i]);
              }
            }
            CHECK(bad == 0);
            // Every slice is the same single-threaded backend call whatever
            // the thread count: 2 threads reproduce 1 thread bit for bit.
            if (pool == nullptr) {
              one_thread = got;
            } else {
              CHECK(std::memcmp(got.data(), one_thread.data(), got.size() * sizeof(float)) == 0);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("backend_linear refuses more threads than its scratch or backend was made for") {
  const BackendCase &c = kBackendCases[0];
  std::unique_ptr<PrefillBackend> backend = make_backend_or_skip(c, 1);
  if (backend == nullptr) return;
  auto pool2 = ThreadPool::create(2);
  REQUIRE(pool2.is_ok());
  const int64_t rows = 4, cols = 8, batch = 2;
  const std::vector<float> w(rows * cols, 1.0f), x(batch * cols, 1.0f);
  std::vector<float> out(batch * rows, 0.0f);
  for (uint32_t scratch_threads : {1u, 2u}) {
    std::vector<uint8_t> bytes(prefill_scratch_bytes(1024, 2, cols, scratch_threads) + 64);
    const PrefillScratch scratch = carve_prefill_scratch(bytes.data(), 1024, 2, cols, scratch_threads);
    // scratch_threads 1: the scratch is too small; 2: the backend (1 caller) is.
    CHECK(backend_linear(*backend, TensorType::f32, w.data(), rows, cols, x.data(), batch, out.data(), scratch,
                         pool2.value().get())
              .code() == StatusCode::internal);
    REQUIRE(backend_linear(*backend, TensorType::f32, w.data(), rows, cols, x.data(), batch, out.data(), scratch, nullptr)
                .is_ok());
    CHECK(out[0] == 8.0f);
  }
}

TEST_CASE("prefill logits with each backend agree with native prefill") {
  using namespace ballast::test;
  for (TensorType type : {TensorType::q8_0, TensorType::f16}) {
    mkmodel::ModelSpec spec;
    spec.type = type;
    spec.dim = 128;
    spec.ffn = 256;
    spec.seed = 5;
    auto model = make_test_model(spec, std::string("backend-") + tensor_type_info(type)->name);
    const auto prompt = test_tokens(19, model->config.n_vocab);
    SessionParams params;
    params.window = 60;
    params.batch = 32;
    params.all_logits = true;
    params.prefill_backend = PrefillBackendChoice::native;
    auto native = make_session(*model, params);
    REQUIRE(native->feed(prompt.data(), prompt.size()).is_ok());
    const size_t n = size_t{model->config.n_vocab} * prompt.size();
    const std::vector<float> want(native->logits_rows(), native->logits_rows() + n);
    const int32_t next = 7;
    REQUIRE(native->feed(&next, 1).is_ok());
    const std::vector<float> want_next(native->logits(), native->logits() + model->config.n_vocab);
    for (PrefillBackendChoice choice : {PrefillBackendChoice::onednn, PrefillBackendChoice::xnnpack}) {
      const std::string name = prefill_backend_choice_name(choice);
      CAPTURE(name);
      params.prefill_backend = choice;
      auto session = make_session(*model, params);
      if (session->prefill_routes().find(name) == std::string::npos) {
        MESSAGE("skipped " << name << " prefill: not in this build (" << session->prefill_routes() << ")");
        continue;
      }
      REQUIRE(session->feed(prompt.data(), prompt.size()).is_ok());
      // The native path quantizes activations to 8 bits per 32-block (Q8_0
      // weights) or rounds them to f16; the backend multiplies f32
      // activations with the exact dequantized weights. Through this random
      // 2-layer model that rounding moves logits by up to ~3% of the largest;
      // a wrong row, column or chunk moves them by O(100%).
      CHECK(max_relative_difference(session->logits_rows(), want.data(), n) < 5e-2);
      const std::vector<float> got(session->logits_rows(), session->logits_rows() + n);
      // Decode after a backend prefill is the native kernel over the cache the backend filled.
      REQUIRE(session->feed(&next, 1).is_ok());
      CHECK(max_relative_difference(session->logits(), want_next.data(), model->config.n_vocab) < 5e-2);
      // The same prefill on 2 threads (each pool thread multiplying its own
      // weight slices) gives the same logits bit for bit.
      SessionParams two = params;
      two.threads = 2;
      auto session2 = make_session(*model, two);
      REQUIRE(session2->feed(prompt.data(), prompt.size()).is_ok());
      CHECK(std::memcmp(session2->logits_rows(), got.data(), n * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("prefill policy routes by choice and type and batch") {
  PrefillShape shape;
  shape.rows = 5632;
  shape.cols = 2048;
  shape.max_batch = 128;
  shape.type = TensorType::f16;
  CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, true).kind == PrefillBackendKind::native);
  shape.type = TensorType::q4_0;
  CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, false).kind == PrefillBackendKind::native);
  CHECK(choose_prefill_route(PrefillBackendChoice::native, shape, true).kind == PrefillBackendKind::native);
  if (prefill_backend_compiled(PrefillBackendKind::onednn)) {
    CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, true).min_batch == 128);
    shape.native_scalar = true;  // e.g. a CPU without AVX2: any backend beats the scalar kernel
    CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, true).min_batch == 8);
    shape.native_scalar = false;
    shape.type = TensorType::q5_0;  // tiled native kernel, as Q4_0
    CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, true).min_batch == 128);
    CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, false).kind == PrefillBackendKind::native);
    shape.type = TensorType::bf16;  // bf16 weights, bf16 activations either way: oneDNN measured faster from 64
    const PrefillRoute bf16_route = choose_prefill_route(PrefillBackendChoice::automatic, shape, true);
    CHECK(bf16_route.kind == PrefillBackendKind::onednn);
    CHECK(bf16_route.operand == PrefillOperand::bf16);
    CHECK(bf16_route.min_batch == 64);
    CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, false).kind == PrefillBackendKind::native);
    for (TensorType untiled : {TensorType::q4_1, TensorType::q5_1}) {  // no native tile: as the K-quants
      shape.type = untiled;
      const PrefillRoute bf16 = choose_prefill_route(PrefillBackendChoice::automatic, shape, true);
      CHECK(bf16.kind == PrefillBackendKind::onednn);
      CHECK(bf16.operand == PrefillOperand::bf16);
      CHECK(bf16.min_batch == 64);
      CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, false).min_batch == 128);
    }
  }
  shape.type = TensorType::q6_k;
  const PrefillRoute k_quant = choose_prefill_route(PrefillBackendChoice::automatic, shape, true);
  if (prefill_backend_compiled(PrefillBackendKind::onednn)) {
    CHECK(k_quant.kind == PrefillBackendKind::onednn);
    CHECK(k_quant.operand == PrefillOperand::bf16);
    CHECK(k_quant.min_batch == 64);
    CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, false).operand == PrefillOperand::f32);
    CHECK(choose_prefill_route(PrefillBackendChoice::onednn, shape, true).min_batch == 2);
  } else {
    CHECK(k_quant.kind == PrefillBackendKind::native);
  }
  shape.max_batch = 32;  // below the measured break-even
  CHECK(choose_prefill_route(PrefillBackendChoice::automatic, shape, true).kind == PrefillBackendKind::native);
  shape.max_batch = 1;   // decode-only sessions never use a backend
  CHECK(choose_prefill_route(PrefillBackendChoice::onednn, shape, true).kind == PrefillBackendKind::native);
  CHECK(choose_prefill_route(PrefillBackendChoice::xnnpack, shape, true).kind == PrefillBackendKind::native);
  CHECK(parse_prefill_backend_choice("xnnpack").value() == PrefillBackendChoice::xnnpack);
  CHECK(parse_prefill_backend_choice("auto").value() == PrefillBackendChoice::automatic);
  CHECK(parse_prefill_backend_choice("mkl").status().code() == StatusCode::invalid_argument);
}
