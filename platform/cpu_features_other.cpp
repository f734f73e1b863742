// CPU feature detection on architectures Ballast has no SIMD kernels for
// (RISC-V, PowerPC, ...): every ISA flag stays false, the scalar kernels run.
#include "platform/cpu_features_detect.h"

#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__) && !defined(__arm__)

namespace ballast {

void detect_architecture_features(CpuFeatures *features) { features->architecture = CpuArchitecture::other; }

}  // namespace ballast

#endif
