// Which implementation runs one prefill projection: the native kernels or a
// backend (prefill_backend.h). Decode (batch 1) is always native.
//
// Forced choices (native | onednn | xnnpack, from SessionParams or the
// BALLAST_PREFILL environment variable) apply to every projection the
// backend can take (weights with a dequantizer). "auto" follows a table of
// measurements (docs/PERFORMANCE.md, "Prefill backends"): the backend is used
// only for the (weight type, shape) classes where it measured faster than
// native on the dev machine, and only when it is in the build.
#pragma once

#include <cstdint>

#include "kernels/quant/tensor_type.h"
#include "runtime/backends/prefill_backend.h"

namespace ballast {

struct PrefillShape {
  TensorType type;
  int64_t rows = 0, cols = 0;  // weight matrix [rows][cols]
  uint32_t max_batch = 0;      // the session's prefill chunk
  bool native_scalar = false;  // the dispatch table has only the scalar matmul for `type` on this CPU
};

struct PrefillRoute {
  PrefillBackendKind kind = PrefillBackendKind::native;
  PrefillOperand operand = PrefillOperand::f32;
  uint32_t min_batch = 2;  // chunks of fewer tokens stay native
};

// The route for `shape` under `choice`. Native when the batch is 1, the type
// cannot be dequantized, the chosen backend is not compiled, or the session's
// chunk is smaller than the route's min_batch. `cpu_bf16`: the CPU has
// AVX512_BF16 or AMX-BF16 (oneDNN then computes in bf16 where the table says so).
PrefillRoute choose_prefill_route(PrefillBackendChoice choice, const PrefillShape &shape, bool cpu_bf16);
// choose_prefill_route with the host CPU's bf16 support and dispatch table
// (shape.native_scalar is filled in from host_kernel_table()). With
// BALLAST_ISA set (a forced kernel level), "auto" is native everywhere.
PrefillRoute choose_prefill_route(PrefillBackendChoice choice, const PrefillShape &shape);

// The session's choice: BALLAST_PREFILL (auto|native|onednn|xnnpack) when set
// and not empty, else `requested`. An invalid value is an error.
Result<PrefillBackendChoice> resolve_prefill_choice(PrefillBackendChoice requested);

}  // namespace ballast
