// Matmul variants that exist only in the test binary, for kernels this CPU
// cannot run in their real encoding (see matmul_avxvnni_evex_twin.cpp), and
// the list the variant tests iterate: every compiled variant, then the twins.
#pragma once

#include <vector>

#include "kernels/dispatch/kernel_variants.h"

namespace ballast {

// The avxvnni kernels with EVEX vpdpbusd (needs AVX-512 F/BW/VL + VNNI to run).
// Defined only when BALLAST_TEST_HAVE_AVXVNNI_EVEX_TWIN.
const QuantizedMatmulKernels *matmul_q8_kernels_avxvnni_evex_twin(TensorType type);

// compiled_matmul_variants() (scalar first), then the test twins this build has.
std::vector<MatmulVariant> matmul_variants_under_test();

}  // namespace ballast
