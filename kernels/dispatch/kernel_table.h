// The dispatch table: one kernel per op (and per weight type for matmul),
// filled ONCE from the ISA level the CPU allows (host_isa_level(), which
// honours BALLAST_ISA) and the variants this build compiled. Within the
// allowed level the best variant the CPU supports wins; variants the build
// lacks or the CPU cannot run are never selected. Ops without a SIMD variant
// keep their scalar reference.
#pragma once

#include <cstddef>

#include "kernels/activation/silu_mul_scalar.h"
#include "kernels/attention/attention.h"
#include "kernels/elementwise/add_scalar.h"
#include "kernels/matmul/matmul_q8_scalar.h"
#include "kernels/norm/rms_norm_scalar.h"
#include "kernels/rope/rope.h"
#include "platform/cpu_features.h"
#include "platform/status.h"

namespace ballast {

// The weight types with matmul kernels, in table order.
constexpr TensorType kMatmulWeightTypes[] = {TensorType::f32,  TensorType::f16,  TensorType::bf16, TensorType::q4_0,
                                             TensorType::q4_1, TensorType::q5_0, TensorType::q5_1, TensorType::q8_0,
                                             TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};
constexpr size_t kMatmulWeightTypeCount = sizeof kMatmulWeightTypes / sizeof kMatmulWeightTypes[0];

struct KernelTable {
  IsaLevel level = IsaLevel::scalar;  // the level the table was built for

  // Indexed like kMatmulWeightTypes.
  const QuantizedMatmulKernels *matmul[kMatmulWeightTypeCount] = {};
  const char *matmul_variant[kMatmulWeightTypeCount] = {};

  RmsNormRowsFn rms_norm_rows = rms_norm_rows_scalar;
  const char *rms_norm_variant = "scalar";
  SiluMulFn silu_mul = silu_mul_scalar;
  const char *silu_mul_variant = "scalar";
  AddFn add = add_scalar;
  const char *add_variant = "scalar";
  // Decode attention over sink + ring segments (attend_one_query_heads' contract).
  using AttendHeadsFn = Status (*)(const AttentionShape &shape, uint32_t head_begin, uint32_t head_end, const float *q,
                                   const KvSegment *segments, uint32_t n_segments, float *out, float *scratch,
                                   size_t scratch_floats, const AttentionProbe *probe);
  AttendHeadsFn attend_heads = attend_one_query_heads;
  const char *attention_variant = "scalar";
  // RoPE row rotations (the KV cache's key stores, sink re-rotation, queries).
  RopeKernels rope = rope_kernels_scalar();
  const char *rope_variant = "scalar";

  // nullptr if `type` has no matmul kernels.
  const QuantizedMatmulKernels *matmul_kernels(TensorType type) const;
  const char *matmul_variant_name(TensorType type) const;  // "scalar", "avx2", ... or "none"
};

// The table for `allowed` on a CPU with `features`: pure, for tests and
// diagnostics. Error if the CPU lacks `allowed` (a forced level is never
// silently lowered) or a variant disagrees with scalar on the activation format.
Result<KernelTable> build_kernel_table(IsaLevel allowed, const CpuFeatures &features);

// build_kernel_table(host_isa_level(), host_cpu_features()), built on first
// call (thread-safe) and the same object afterwards. An invalid BALLAST_ISA is
// an error every time.
Result<const KernelTable *> host_kernel_table();

}  // namespace ballast
