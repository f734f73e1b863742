// Which kernel variant family runs, given the ISA level the CPU (or
// BALLAST_ISA) allows and the variants this build compiled. Until the SIMD
// kernels land (issue 4) every op family has only its scalar reference, so
// the variant that runs is scalar whatever the CPU offers: `ballast info`
// says so rather than reporting what the CPU could do.
#pragma once

#include "platform/cpu_features.h"

namespace ballast {

// True if this build contains kernels for `level`.
bool kernel_variant_compiled(IsaLevel level);

// The best compiled variant not above `allowed` (same architecture family).
IsaLevel select_kernel_variant(IsaLevel allowed);

// Space-separated list of compiled variants, e.g. "scalar".
const char *compiled_kernel_variants();

}  // namespace ballast
