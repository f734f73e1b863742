// ballast-prefill-bench: times one prefill projection (out = W x for a chunk
// of tokens) through the native kernels of the dispatch table and through
// every prefill backend in the build, on random weights of one type and
// shape. The numbers behind the "auto" table in runtime/backends/
// prefill_policy.cpp (docs/PERFORMANCE.md, "Prefill backends").
//
// usage: ballast-prefill-bench TYPE ROWS COLS BATCH [REPEATS [THREADS [SLICE_KIB [SLICE_ROWS]]]]
//   TYPE: f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 q4_k q5_k q6_k; median of REPEATS (default 3)
//   THREADS: a thread pool of that many (default 1), split as a session splits
//   (native: rows over the pool, as linear_op.cpp; backends: backend_linear's slices)
//   SLICE_KIB, SLICE_ROWS: a backend thread's weight slice (default
//   kPrefillSliceBytes / 1024 and kPrefillMaxSliceRows), for measuring them.
// Times include activation quantization (native) or weight and input
// conversion (backends), as in a real prefill. Types with a repacked layout
// (q4_0x8, q8_0x8) are also timed on it, as a session runs them by default.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/quant/quant_type_traits.h"
#include "runtime/backends/backend_linear.h"
#include "runtime/backends/prefill_backend.h"
#include "runtime/threading/thread_pool.h"

using namespace ballast;

namespace {

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename F>
double median_seconds(int repeats, F run) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const double start = seconds_now();
    run();
    times.push_back(seconds_now() - start);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

bool parse_type(const std::string &name, TensorType *type) {
  for (TensorType t : kMatmulWeightTypes) {
    std::string lower = tensor_type_info(t)->name;
    for (char &c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == name) {
      *type = t;
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char **argv) {
  TensorType type = TensorType::f32;
  if (argc < 5 || !parse_type(argv[1], &type)) {
    std::fprintf(stderr, "usage: %s TYPE ROWS COLS BATCH [REPEATS [THREADS [SLICE_KIB [SLICE_ROWS]]]]\n", argv[0]);
    return 2;
  }
  const int64_t rows = std::atoll(argv[2]), cols = std::atoll(argv[3]), batch = std::atoll(argv[4]);
  const int repeats = argc > 5 ? std::atoi(argv[5]) : 3;
  const uint32_t threads = argc > 6 ? static_cast<uint32_t>(std::atoi(argv[6])) : 1;
  const uint64_t slice_bytes = argc > 7 ? static_cast<uint64_t>(std::atoll(argv[7])) * 1024 : kPrefillSliceBytes;
  const int64_t slice_rows = argc > 8 ? std::atoll(argv[8]) : kPrefillMaxSliceRows;
  Result<std::unique_ptr<ThreadPool>> pool_or = ThreadPool::create(threads == 0 ? 1 : threads);
  if (!pool_or.is_ok()) {
    std::fprintf(stderr, "%s\n", pool_or.status().to_string().c_str());
    return 2;
  }
  ThreadPool *pool = threads > 1 ? pool_or.value().get() : nullptr;
  const QuantTypeTraits *traits = quant_type_traits(type);
  Result<const KernelTable *> table = host_kernel_table();
  if (rows < 1 || batch < 2 || repeats < 1 || cols % traits->block_elements != 0 || !table.is_ok()) {
    std::fprintf(stderr, "bad shape or no kernel table\n");
    return 2;
  }
  const int64_t row_bytes = quant_row_bytes(type, cols);
  std::vector<uint8_t> weights(static_cast<size_t>(rows * row_bytes));
  std::vector<float> row(static_cast<size_t>(cols)), x(static_cast<size_t>(batch * cols)),
      y(static_cast<size_t>(batch * rows));
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (int64_t r = 0; r < rows; ++r) {
    for (float &v : row) v = normal(rng);
    traits->quantize_row(row.data(), weights.data() + r * row_bytes, cols);
  }
  for (float &v : x) v = normal(rng);
  const double giga_macs = static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(batch) * 1e-9;
  auto report = [&](const char *name, double s) {
    std::printf("%s %s %lldx%lld batch %lld threads %u: %.2f ms, %.1f GMAC/s\n", tensor_type_info(type)->name, name,
                static_cast<long long>(rows), static_cast<long long>(cols), static_cast<long long>(batch), threads,
                s * 1e3, giga_macs / s);
  };

  const QuantizedMatmulKernels *native = table.value()->matmul_kernels(type);
  const int64_t x_bytes = activation_row_bytes(native->activation, cols);
  std::vector<uint8_t> x_converted(static_cast<size_t>(batch * x_bytes));
  auto run_native = [&] {
    const void *in = x.data();
    if (native->activation != ActivationType::f32) {
      for (int64_t b = 0; b < batch; ++b) native->quantize_activations(x.data() + b * cols, x_converted.data() + b * x_bytes, cols);
      in = x_converted.data();
    }
    if (pool == nullptr || rows < 64) {
      native->matmul(weights.data(), in, y.data(), rows, cols, batch, 0, rows);
      return;
    }
    auto task = [&](uint32_t t) {
      int64_t begin = 0, end = 0;
      split_range(rows, threads, t, 16, &begin, &end);
      if (begin < end) native->matmul(weights.data(), in, y.data(), rows, cols, batch, begin, end);
    };
    pool->run(threads, task);
  };
  run_native();
  const std::string native_name = std::string("native-") + table.value()->matmul_variant_name(type);
  report(native_name.c_str(), median_seconds(repeats, run_native));

  // The repacked layout a session uses for this type when it has one
  // (Session::create's repack, BALLAST_REPACK=1), timed the same way.
  if (const RepackedMatmulKernels *repacked = native->repacked;
      repacked != nullptr && activation_row_bytes(repacked->activation, cols) > 0) {
    std::vector<uint8_t> packed(static_cast<size_t>(repacked->repacked_bytes(rows, cols)));
    repacked->repack(weights.data(), packed.data(), rows, cols);
    const int64_t xr_bytes = activation_row_bytes(repacked->activation, cols);
    std::vector<uint8_t> xr(static_cast<size_t>(batch * xr_bytes));
    auto run_repacked = [&] {
      for (int64_t b = 0; b < batch; ++b) repacked->quantize_activations(x.data() + b * cols, xr.data() + b * xr_bytes, cols);
      if (pool == nullptr || rows < 64) {
        repacked->matmul(packed.data(), xr.data(), y.data(), rows, cols, batch, 0, rows);
        return;
      }
      auto task = [&](uint32_t t) {
        int64_t begin = 0, end = 0;
        split_range(rows, threads, t, repacked->row_group, &begin, &end);
        if (begin < end) repacked->matmul(packed.data(), xr.data(), y.data(), rows, cols, batch, begin, end);
      };
      pool->run(threads, task);
    };
    run_repacked();
    const std::string name = native_name + "(" + repacked->layout + ")";
    report(name.c_str(), median_seconds(repeats, run_repacked));
  }

  std::vector<uint8_t> scratch_bytes(prefill_scratch_bytes(slice_bytes, static_cast<uint32_t>(batch),
                                                           static_cast<uint64_t>(cols), threads) + 64);
  PrefillScratch scratch = carve_prefill_scratch(scratch_bytes.data(), slice_bytes, static_cast<uint32_t>(batch),
                                                 static_cast<uint64_t>(cols), threads);
  scratch.max_slice_rows = slice_rows;
  struct Candidate {
    PrefillBackendKind kind;
    PrefillOperand operand;
    const char *name;
  };
  const Candidate candidates[] = {{PrefillBackendKind::onednn, PrefillOperand::f32, "onednn-f32"},
                                  {PrefillBackendKind::onednn, PrefillOperand::bf16, "onednn-bf16"},
                                  {PrefillBackendKind::xnnpack, PrefillOperand::f32, "xnnpack-f32"}};
  for (const Candidate &c : candidates) {
    if (!prefill_backend_compiled(c.kind)) continue;
    Result<std::unique_ptr<PrefillBackend>> backend = create_prefill_backend(c.kind, c.operand, threads);
    if (!backend.is_ok()) {
      std::printf("%s: %s\n", c.name, backend.status().to_string().c_str());
      continue;
    }
    Status status = Status::ok();
    auto run = [&] {
      status = backend_linear(*backend.value(), type, weights.data(), rows, cols, x.data(), batch, y.data(), scratch,
                              pool);
    };
    run();
    if (!status.is_ok()) {
      std::printf("%s: %s\n", c.name, status.to_string().c_str());
      continue;
    }
    report(c.name, median_seconds(repeats, run));
  }
  return 0;
}
