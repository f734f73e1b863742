// Prefill backends: third-party batched matmul (oneDNN, XNNPACK) behind one
// small interface, next to the native kernels (kernels/matmul/), which are
// always available and always run decode.
//
// A backend computes out[batch][rows] = in[batch][cols] x W^T for one chunk of
// weight rows that runtime/backends/backend_linear.cpp has already converted
// (dequantized) into plan scratch, in the operand format the backend asks
// for (f32 or bf16). The third-party headers appear only in the backend's own
// source file (onednn_backend.cpp, xnnpack_backend.cpp).
//
// Allocation: backends MAY allocate inside matmul() (oneDNN 2.6 allocates its
// scratchpad and primitive in every execute; XNNPACK packs the weight chunk
// into memory it allocates), so they run only for prefill chunks (batch >=
// 2), never for decode (batch 1). Decode stays allocation-free with backends
// enabled (tests/backends/ checks it).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "platform/status.h"

namespace ballast {

enum class PrefillBackendKind : uint8_t { native, onednn, xnnpack };

// "native", "onednn", "xnnpack".
const char *prefill_backend_name(PrefillBackendKind kind);
// True if this build linked the backend (native: always).
bool prefill_backend_compiled(PrefillBackendKind kind);

// What a session asks for: one backend forced for every prefill matmul, or
// the measured policy (runtime/backends/prefill_policy.h) per shape.
enum class PrefillBackendChoice : uint8_t { automatic, native, onednn, xnnpack };
const char *prefill_backend_choice_name(PrefillBackendChoice choice);  // "auto", "native", ...
// "auto" | "native" | "onednn" | "xnnpack"; anything else is invalid_argument.
Result<PrefillBackendChoice> parse_prefill_backend_choice(std::string_view name);

// The operand format a backend computes in (inputs and weights; output is f32).
enum class PrefillOperand : uint8_t { f32, bf16 };
int64_t prefill_operand_bytes(PrefillOperand operand);  // 4 or 2

// One backend call: out[b * out_stride + r] = sum_c in[b][c] * w[r][c],
// b < batch, r < rows.
struct PrefillMatmul {
  const void *in = nullptr;      // [batch][cols] in the backend's operand format
  const void *weights = nullptr; // [rows][cols] in the backend's operand format
  float *out = nullptr;          // [batch][out_stride] f32; columns [0, rows) written
  int64_t batch = 0, rows = 0, cols = 0, out_stride = 0;
  uint32_t worker = 0;           // < the backend's callers(); concurrent calls use different workers
};

class PrefillBackend {
 public:
  virtual ~PrefillBackend() = default;
  virtual PrefillBackendKind kind() const = 0;
  virtual PrefillOperand operand() const = 0;
  // How many threads may call matmul() at once (each with its own m.worker).
  virtual uint32_t callers() const = 0;
  // Prefill only (batch >= 2): may allocate, see the header comment. Runs
  // single-threaded on the calling thread; thread-safe across workers.
  virtual Status matmul(const PrefillMatmul &m) = 0;
};

// A backend that up to `callers` threads may call at once, each call running
// on its calling thread alone (oneDNN: the caller's OpenMP thread count is set
// to 1, a per-thread setting in libgomp; XNNPACK: no pthreadpool). The
// parallelism is the caller's (backend_linear splits a projection into
// slices over the session's pool): a second team of threads next to the
// session's spinning pool oversubscribed the cores (docs/PERFORMANCE.md,
// "Prefill backends"). unsupported when the build lacks the backend.
//   onednn: operand f32 or bf16 (bf16 needs AVX512_BF16 or AMX; checked when
//           the first primitive is created, error then).
Result<std::unique_ptr<PrefillBackend>> create_prefill_backend(PrefillBackendKind kind, PrefillOperand operand,
                                                               uint32_t callers);

// The backends of one session, created on first request (at session
// creation, never during a forward pass) and owned here.
class PrefillBackendSet {
 public:
  explicit PrefillBackendSet(uint32_t callers) : callers_(callers) {}
  Result<PrefillBackend *> get(PrefillBackendKind kind, PrefillOperand operand);

 private:
  uint32_t callers_;
  std::unique_ptr<PrefillBackend> backends_[3];  // onednn f32, onednn bf16, xnnpack f32
};

// The per-backend factories (each in its own file; only declared when compiled).
Result<std::unique_ptr<PrefillBackend>> create_onednn_backend(PrefillOperand operand, uint32_t callers);
Result<std::unique_ptr<PrefillBackend>> create_xnnpack_backend(uint32_t callers);

}  // namespace ballast
