#include "kernels/dispatch/kernel_variants.h"

namespace ballast {

bool kernel_variant_compiled(IsaLevel level) { return level == IsaLevel::scalar; }

IsaLevel select_kernel_variant(IsaLevel allowed) {
  return kernel_variant_compiled(allowed) ? allowed : IsaLevel::scalar;
}

const char *compiled_kernel_variants() { return "scalar"; }

}  // namespace ballast
