// Which kernel variants this build compiled, and which of them a CPU can run.
// A variant is one ISA translation unit (cmake/BallastIsaSources.cmake);
// it is usable only when the build compiled it AND the CPU (and OS) supports
// every feature it needs. kernel_table.h picks from these.
#pragma once

#include <cstddef>

#include "kernels/matmul/matmul_q8_scalar.h"
#include "platform/cpu_features.h"

namespace ballast {

// One compiled matmul variant.
struct MatmulVariant {
  const char *name;                                   // "avx2", "avx512vnni", ... (also "scalar")
  IsaLevel level;                                     // the BALLAST_ISA level it belongs to
  bool (*cpu_supports)(const CpuFeatures &features);  // every feature the variant's flags use
  const QuantizedMatmulKernels *(*kernels)(TensorType type);  // nullptr: no variant for that type
};

// Every matmul variant in this build, scalar first, best last. `count` out.
const MatmulVariant *compiled_matmul_variants(size_t *count);

// True if this build contains at least one variant for `level`.
bool kernel_variant_compiled(IsaLevel level);

// The best compiled level not above `allowed` (same architecture family).
IsaLevel select_kernel_variant(IsaLevel allowed);

// Space-separated list of compiled variants, e.g. "scalar avx2 avx512 avx512vnni".
const char *compiled_kernel_variants();

}  // namespace ballast
