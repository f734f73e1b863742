// Internal: the per-architecture half of detect_cpu_features(). Exactly one of
// cpu_features_x86.cpp, cpu_features_arm.cpp and cpu_features_other.cpp
// defines it (each file is guarded as a whole by the target architecture), so
// no function carries an #if ladder.
#pragma once

#include "platform/cpu_features.h"

namespace ballast {

// Sets `features->architecture` and every ISA flag of that architecture.
// Called after cpuinfo_initialize(); `features->cpuinfo_available` says
// whether the cpuinfo_has_*() queries may be used.
void detect_architecture_features(CpuFeatures *features);

}  // namespace ballast
