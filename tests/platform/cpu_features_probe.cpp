// Standalone probe (not part of ballast_tests): prints what the platform layer
// detects, one "key: value" per line. run_arm_qemu_probe.sh cross-compiles it
// and runs it under qemu-user with several emulated ARM CPUs to check the
// HWCAP path on machines this x86 host cannot be.
#include <cstdio>

#include "platform/cpu_features.h"

int main() {
  const ballast::CpuFeatures &features = ballast::host_cpu_features();
  std::printf("isa: %s\n", ballast::describe_cpu_isa(features).c_str());
  std::printf("best: %s\n", ballast::isa_level_name(ballast::best_isa_level(features)));
  std::printf("cpu: %s\n", ballast::describe_cpu_topology(features).c_str());
  ballast::Result<ballast::IsaLevel> level = ballast::host_isa_level();
  if (level.is_ok()) {
    std::printf("dispatch: %s\n", ballast::isa_level_name(level.value()));
  } else {
    std::printf("dispatch error: %s\n", level.status().to_string().c_str());
  }
  return 0;
}
