// Host CPU detection: internal consistency, and on x86 agreement between the
// three independent sources (cpuinfo, our CPUID+XGETBV decoder, the kernel's
// /proc/cpuinfo flags).
#include <doctest/doctest.h>

#include <cpuinfo.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "platform/cpu_features.h"
#include "platform/x86_cpuid.h"

using namespace ballast;

namespace {

CpuArchitecture compiled_architecture() {
#if defined(__x86_64__)
  return CpuArchitecture::x86_64;
#elif defined(__i386__)
  return CpuArchitecture::x86;
#elif defined(__aarch64__)
  return CpuArchitecture::aarch64;
#elif defined(__arm__)
  return CpuArchitecture::arm;
#else
  return CpuArchitecture::other;
#endif
}

bool any_x86_flag(const CpuFeatures &f) {
  return f.sse4_2 || f.avx || f.avx2 || f.fma || f.f16c || f.avx512f || f.avx512bw || f.avx512vl || f.avx512dq ||
         f.avx512vnni || f.avx512bf16 || f.avx512fp16 || f.avx_vnni || f.amx_tile || f.amx_int8 || f.amx_bf16;
}

bool any_arm_flag(const CpuFeatures &f) {
  return f.neon || f.fp16_arith || f.dotprod || f.i8mm || f.bf16 || f.sve || f.sve2;
}

// The "flags" line of the first processor in /proc/cpuinfo (x86 kernels).
[[maybe_unused]] std::set<std::string> kernel_cpu_flags() {  // used by the x86 checks only
  std::ifstream file("/proc/cpuinfo");
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    const size_t colon = line.find(':');
    std::istringstream words(line.substr(colon + 1));
    std::set<std::string> flags;
    std::string word;
    while (words >> word) flags.insert(word);
    return flags;
  }
  return {};
}

}  // namespace

TEST_CASE("host CPU features are internally consistent") {
  const CpuFeatures &f = host_cpu_features();
  CHECK(f.architecture == compiled_architecture());
  CHECK(f.cpuinfo_available);
  CHECK(f.logical_processors >= 1);
  CHECK(f.physical_cores >= 1);
  CHECK(f.physical_cores <= f.logical_processors);
  CHECK_FALSE(f.model_name.empty());
  CHECK_FALSE(f.vendor.empty());

  // Implications every real CPU + OS satisfies.
  if (f.avx2 || f.fma || f.f16c) CHECK(f.avx);
  if (f.avx_vnni) CHECK(f.avx2);
  if (f.avx512bw || f.avx512vl || f.avx512dq || f.avx512vnni || f.avx512bf16 || f.avx512fp16) CHECK(f.avx512f);
  if (f.avx512f) CHECK(f.avx2);
  if (f.amx_int8 || f.amx_bf16) CHECK(f.amx_tile);
  if (f.fp16_arith || f.dotprod || f.i8mm || f.bf16 || f.sve) CHECK(f.neon);
  if (f.sve2) CHECK(f.sve);

  // Flags of the other architecture family are never set.
  const bool is_x86 = f.architecture == CpuArchitecture::x86_64 || f.architecture == CpuArchitecture::x86;
  const bool is_arm = f.architecture == CpuArchitecture::aarch64 || f.architecture == CpuArchitecture::arm;
  if (!is_x86) CHECK_FALSE(any_x86_flag(f));
  if (!is_arm) CHECK_FALSE(any_arm_flag(f));
  if (f.architecture == CpuArchitecture::aarch64) CHECK(f.neon);  // mandatory in AArch64

  // Detection is deterministic: a fresh run matches the cached one.
  const CpuFeatures again = detect_cpu_features();
  CHECK(describe_cpu_isa(again) == describe_cpu_isa(f));
  CHECK(again.logical_processors == f.logical_processors);
  CHECK(&host_cpu_features() == &f);
}

TEST_CASE("host CPU description strings name the architecture and topology") {
  const CpuFeatures &f = host_cpu_features();
  const std::string isa = describe_cpu_isa(f);
  CHECK(isa.rfind(std::string(cpu_architecture_name(f.architecture)) + ": ", 0) == 0);
  const std::string topology = describe_cpu_topology(f);
  CHECK(topology.find(f.model_name) != std::string::npos);
  CHECK(topology.find(std::to_string(f.logical_processors) + " threads") != std::string::npos);
  MESSAGE("host ISA: " << isa);
  MESSAGE("host CPU: " << topology);
}

#if defined(__x86_64__) || defined(__i386__)

TEST_CASE("x86 host: AVX2 present and every source agrees") {
  const CpuFeatures &host = host_cpu_features();
  // The project's build/CI machines are AVX2-class (DESIGN.md §8).
  CHECK(host.sse4_2);
  CHECK(host.avx2);
  CHECK(host.fma);
  CHECK(host.f16c);

  X86CpuidRegisters regs;
  REQUIRE(read_x86_cpuid_registers(&regs));
  CHECK(regs.max_basic_leaf >= 7);
  CpuFeatures cpuid_only;
  decode_x86_cpuid(regs, &cpuid_only);

  // cpuinfo vs our CPUID+XGETBV decoder, for every flag both report.
  CHECK(cpuid_only.sse4_2 == cpuinfo_has_x86_sse4_2());
  CHECK(cpuid_only.avx == cpuinfo_has_x86_avx());
  CHECK(cpuid_only.fma == cpuinfo_has_x86_fma3());
  CHECK(cpuid_only.f16c == cpuinfo_has_x86_f16c());
  CHECK(cpuid_only.avx2 == cpuinfo_has_x86_avx2());
  CHECK(cpuid_only.avx512f == cpuinfo_has_x86_avx512f());
  CHECK(cpuid_only.avx512dq == cpuinfo_has_x86_avx512dq());
  CHECK(cpuid_only.avx512bw == cpuinfo_has_x86_avx512bw());
  CHECK(cpuid_only.avx512vl == cpuinfo_has_x86_avx512vl());
  CHECK(cpuid_only.avx512vnni == cpuinfo_has_x86_avx512vnni());
  CHECK(cpuid_only.avx512bf16 == cpuinfo_has_x86_avx512bf16());

  // The host struct is the AND of both, so here it equals the CPUID view.
  CHECK(describe_cpu_isa(host) == [&] {
    CpuFeatures copy = host;
    decode_x86_cpuid(regs, &copy);
    return describe_cpu_isa(copy);
  }());

  // The kernel's own flags (a third source) for what cpuinfo cannot report.
  const std::set<std::string> kernel = kernel_cpu_flags();
  REQUIRE_FALSE(kernel.empty());
  CHECK(host.avx512fp16 == (kernel.count("avx512_fp16") == 1));
  CHECK(host.avx_vnni == (kernel.count("avx_vnni") == 1));
  CHECK(host.amx_tile == (kernel.count("amx_tile") == 1));
  CHECK(host.amx_int8 == (kernel.count("amx_int8") == 1));
  CHECK(host.amx_bf16 == (kernel.count("amx_bf16") == 1));
  CHECK(host.avx512f == (kernel.count("avx512f") == 1));
  CHECK(host.avx512bw == (kernel.count("avx512bw") == 1));
  CHECK(host.avx512vnni == (kernel.count("avx512_vnni") == 1));
  CHECK(host.avx512bf16 == (kernel.count("avx512_bf16") == 1));
  CHECK(host.avx2 == (kernel.count("avx2") == 1));

  // The OS enables the AVX state whenever AVX is usable.
  if (host.avx) CHECK((regs.xcr0 & kXcr0AvxState) == kXcr0AvxState);
  if (host.avx512f) CHECK((regs.xcr0 & kXcr0Avx512State) == kXcr0Avx512State);
}

#endif
