// What the host CPU *and* its operating system let us run, detected once at
// startup. cpuinfo is the main detector; what this (Debian bookworm) cpuinfo
// cannot report comes from CPUID + XGETBV on x86 (AVX-512-FP16, AVX-VNNI, AMX)
// and from getauxval(AT_HWCAP/AT_HWCAP2) on ARM Linux (i8mm, ...). A feature is
// true only if the CPU has it and the OS saves its register state.
//
// The kernel dispatch table is filled once from host_cpu_features() and
// host_isa_level(); BALLAST_ISA=scalar|avx2|avx512|neon|dotprod|i8mm forces a
// level (for tests), and forcing one the CPU lacks is an error, not a fallback.
#pragma once

#include <cstdint>
#include <string>

#include "platform/status.h"

namespace ballast {

enum class CpuArchitecture { x86_64, x86, aarch64, arm, other };

const char *cpu_architecture_name(CpuArchitecture arch);

struct CpuFeatures {
  CpuArchitecture architecture = CpuArchitecture::other;

  // x86 / x86_64. AVX* and AMX ones also require the OS to enable the state in XCR0.
  bool sse4_2 = false;
  bool avx = false;
  bool avx2 = false;
  bool fma = false;   // FMA3
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  bool avx512fp16 = false;
  bool avx_vnni = false;  // VEX-encoded VNNI (Alder Lake and later)
  bool amx_tile = false;  // Linux also wants arch_prctl(ARCH_REQ_XCOMP_PERM) before first use
  bool amx_int8 = false;
  bool amx_bf16 = false;

  // ARM (aarch64 and armv7).
  bool neon = false;        // Advanced SIMD (asimd on aarch64)
  bool fp16_arith = false;  // half-precision arithmetic in NEON (asimdhp)
  bool dotprod = false;     // SDOT/UDOT (asimddp)
  bool i8mm = false;        // SMMLA/UMMLA/USDOT
  bool bf16 = false;        // BFDOT/BFMMLA
  bool sve = false;
  bool sve2 = false;

  // Topology and caches (0 = unknown). Cache sizes are of one instance, in bytes.
  uint32_t physical_cores = 0;
  uint32_t logical_processors = 0;
  uint32_t l1d_cache_bytes = 0;
  uint32_t l2_cache_bytes = 0;
  uint32_t l3_cache_bytes = 0;
  std::string vendor;      // "Intel", "AMD", "ARM", ... or "unknown"
  std::string model_name;  // e.g. "Intel Xeon Platinum 8480+", or "unknown"

  // False if cpuinfo_initialize() failed; the ISA flags then come from
  // CPUID/HWCAP alone and topology from sysconf.
  bool cpuinfo_available = false;
};

// Detected once (thread-safe lazy static) and cached for the process lifetime.
const CpuFeatures &host_cpu_features();

// Runs detection again, uncached (tests, diagnostics).
CpuFeatures detect_cpu_features();

// Kernel variant families, best last within an architecture (DESIGN.md §4).
enum class IsaLevel { scalar, avx2, avx512, neon, dotprod, i8mm };

// "scalar", "avx2", ... (the BALLAST_ISA spelling).
const char *isa_level_name(IsaLevel level);

// The features a level needs, e.g. "avx2 fma f16c" (for error messages/docs).
const char *isa_level_requirements(IsaLevel level);

// True if `features` has everything `level` needs. scalar is always supported.
bool cpu_supports_isa_level(const CpuFeatures &features, IsaLevel level);

// The best level `features` supports (i8mm > dotprod > neon, avx512 > avx2, else scalar).
IsaLevel best_isa_level(const CpuFeatures &features);

// "avx2" -> IsaLevel::avx2; unknown names: invalid_argument listing valid ones.
Result<IsaLevel> parse_isa_level_name(const std::string &name);

// The level to dispatch with. `override_name` is the BALLAST_ISA value (null or
// empty = not set: best level). A forced level the CPU lacks is `unsupported`,
// naming the missing features.
Result<IsaLevel> resolve_isa_level(const char *override_name, const CpuFeatures &features);

// resolve_isa_level(getenv("BALLAST_ISA"), host_cpu_features()). Not cached.
Result<IsaLevel> host_isa_level();

// One line of ISA flags for `ballast info`, e.g.
// "x86_64: sse4.2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512dq avx512vnni avx512bf16 (no amx)".
std::string describe_cpu_isa(const CpuFeatures &features);

// One line of identity and topology, e.g.
// "Intel Xeon ... (Intel), 2 cores / 2 threads, L1d 48 KiB, L2 2048 KiB, L3 105 MiB".
std::string describe_cpu_topology(const CpuFeatures &features);

}  // namespace ballast
