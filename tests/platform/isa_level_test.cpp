// ISA levels, the BALLAST_ISA override and the human-readable feature line.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "platform/cpu_features.h"

using namespace ballast;

namespace {

CpuFeatures avx2_machine() {
  CpuFeatures f;
  f.architecture = CpuArchitecture::x86_64;
  f.sse4_2 = f.avx = f.avx2 = f.fma = f.f16c = true;
  return f;
}

CpuFeatures avx512_machine() {
  CpuFeatures f = avx2_machine();
  f.avx512f = f.avx512bw = f.avx512vl = f.avx512dq = f.avx512vnni = true;
  return f;
}

CpuFeatures pi5_machine() {
  CpuFeatures f;
  f.architecture = CpuArchitecture::aarch64;
  f.neon = f.fp16_arith = f.dotprod = true;
  return f;
}

// Sets BALLAST_ISA for one scope and restores the previous value.
class ScopedIsaEnv {
 public:
  explicit ScopedIsaEnv(const char *value) {
    const char *old = std::getenv("BALLAST_ISA");
    had_old_ = old != nullptr;
    if (had_old_) old_ = old;
    if (value != nullptr) {
      setenv("BALLAST_ISA", value, 1);
    } else {
      unsetenv("BALLAST_ISA");
    }
  }
  ~ScopedIsaEnv() {
    if (had_old_) {
      setenv("BALLAST_ISA", old_.c_str(), 1);
    } else {
      unsetenv("BALLAST_ISA");
    }
  }

 private:
  bool had_old_ = false;
  std::string old_;
};

}  // namespace

TEST_CASE("best ISA level follows the features") {
  CHECK(best_isa_level(CpuFeatures()) == IsaLevel::scalar);
  CHECK(best_isa_level(avx2_machine()) == IsaLevel::avx2);
  CHECK(best_isa_level(avx512_machine()) == IsaLevel::avx512);
  CHECK(best_isa_level(pi5_machine()) == IsaLevel::dotprod);

  CpuFeatures no_fma = avx2_machine();
  no_fma.fma = false;  // AVX2 kernels assume FMA: such a CPU gets scalar
  CHECK(best_isa_level(no_fma) == IsaLevel::scalar);

  CpuFeatures avx512_without_bw = avx512_machine();
  avx512_without_bw.avx512bw = false;  // Knights Landing-style: falls back to AVX2
  CHECK(best_isa_level(avx512_without_bw) == IsaLevel::avx2);

  CpuFeatures pi3 = pi5_machine();
  pi3.dotprod = false;
  pi3.fp16_arith = false;
  CHECK(best_isa_level(pi3) == IsaLevel::neon);

  CpuFeatures v9 = pi5_machine();
  v9.i8mm = true;
  CHECK(best_isa_level(v9) == IsaLevel::i8mm);
  v9.dotprod = false;  // i8mm kernels also use SDOT
  CHECK(best_isa_level(v9) == IsaLevel::neon);

  CHECK(cpu_supports_isa_level(CpuFeatures(), IsaLevel::scalar));
  CHECK(cpu_supports_isa_level(avx512_machine(), IsaLevel::avx2));
  CHECK_FALSE(cpu_supports_isa_level(avx512_machine(), IsaLevel::neon));
}

TEST_CASE("host best ISA level is supported by the host") {
  const CpuFeatures &host = host_cpu_features();
  const IsaLevel best = best_isa_level(host);
  CHECK(cpu_supports_isa_level(host, best));
#if defined(__x86_64__)
  CHECK((best == IsaLevel::avx2 || best == IsaLevel::avx512));
  CHECK((best == IsaLevel::avx512) == (host.avx512f && host.avx512bw && host.avx512vl));
#endif
}

TEST_CASE("ISA level names parse and round-trip") {
  const IsaLevel all[] = {IsaLevel::scalar, IsaLevel::avx2,    IsaLevel::avx512,
                          IsaLevel::neon,   IsaLevel::dotprod, IsaLevel::i8mm};
  for (IsaLevel level : all) {
    Result<IsaLevel> parsed = parse_isa_level_name(isa_level_name(level));
    REQUIRE(parsed.is_ok());
    CHECK(parsed.value() == level);
  }
  CHECK(std::string(isa_level_name(IsaLevel::avx512)) == "avx512");
  CHECK(std::string(isa_level_requirements(IsaLevel::i8mm)) == "neon dotprod i8mm");
}

TEST_CASE("unknown ISA names are an error listing the valid ones") {
  for (const char *bad : {"sse2", "AVX2", "avx2 ", "avx-512", "x"}) {
    Result<IsaLevel> parsed = parse_isa_level_name(bad);
    REQUIRE_FALSE(parsed.is_ok());
    CHECK(parsed.status().code() == StatusCode::invalid_argument);
    const std::string &message = parsed.status().message();
    CHECK(message.find(std::string("'") + bad + "'") != std::string::npos);
    for (const char *valid : {"scalar", "avx2", "avx512", "neon", "dotprod", "i8mm"}) {
      CHECK(message.find(valid) != std::string::npos);
    }
  }
  Result<IsaLevel> resolved = resolve_isa_level("turbo", avx512_machine());
  REQUIRE_FALSE(resolved.is_ok());
  CHECK(resolved.status().code() == StatusCode::invalid_argument);
  CHECK(resolved.status().message().find("BALLAST_ISA") != std::string::npos);
}

TEST_CASE("resolve_isa_level: unset picks the best, a forced level is honoured") {
  Result<IsaLevel> unset = resolve_isa_level(nullptr, avx512_machine());
  REQUIRE(unset.is_ok());
  CHECK(unset.value() == IsaLevel::avx512);
  Result<IsaLevel> empty = resolve_isa_level("", pi5_machine());
  REQUIRE(empty.is_ok());
  CHECK(empty.value() == IsaLevel::dotprod);

  Result<IsaLevel> down = resolve_isa_level("avx2", avx512_machine());
  REQUIRE(down.is_ok());
  CHECK(down.value() == IsaLevel::avx2);
  Result<IsaLevel> scalar = resolve_isa_level("scalar", CpuFeatures());
  REQUIRE(scalar.is_ok());
  CHECK(scalar.value() == IsaLevel::scalar);
  Result<IsaLevel> neon = resolve_isa_level("neon", pi5_machine());
  REQUIRE(neon.is_ok());
  CHECK(neon.value() == IsaLevel::neon);
}

TEST_CASE("forcing a level the CPU lacks is an error naming what is missing") {
  Result<IsaLevel> forced = resolve_isa_level("avx512", avx2_machine());
  REQUIRE_FALSE(forced.is_ok());
  CHECK(forced.status().code() == StatusCode::unsupported);
  const std::string &message = forced.status().message();
  CHECK(message.find("BALLAST_ISA=avx512") != std::string::npos);
  CHECK(message.find("lacks [avx512f avx512bw avx512vl]") != std::string::npos);
  CHECK(message.find("best level is 'avx2'") != std::string::npos);

  Result<IsaLevel> wrong_arch = resolve_isa_level("neon", avx512_machine());
  REQUIRE_FALSE(wrong_arch.is_ok());
  CHECK(wrong_arch.status().code() == StatusCode::unsupported);
  CHECK(wrong_arch.status().message().find("x86_64 CPU lacks [neon]") != std::string::npos);

  Result<IsaLevel> no_i8mm = resolve_isa_level("i8mm", pi5_machine());
  REQUIRE_FALSE(no_i8mm.is_ok());
  CHECK(no_i8mm.status().message().find("lacks [i8mm]") != std::string::npos);
}

TEST_CASE("host_isa_level reads BALLAST_ISA from the environment") {
  const CpuFeatures &host = host_cpu_features();
  {
    ScopedIsaEnv env(nullptr);
    Result<IsaLevel> level = host_isa_level();
    REQUIRE(level.is_ok());
    CHECK(level.value() == best_isa_level(host));
  }
  {
    ScopedIsaEnv env("scalar");
    Result<IsaLevel> level = host_isa_level();
    REQUIRE(level.is_ok());
    CHECK(level.value() == IsaLevel::scalar);
  }
  {
    ScopedIsaEnv env("bogus");
    Result<IsaLevel> level = host_isa_level();
    REQUIRE_FALSE(level.is_ok());
    CHECK(level.status().code() == StatusCode::invalid_argument);
  }
  {
    // A level of the other architecture family can never be supported here.
    const bool is_x86 = host.architecture == CpuArchitecture::x86_64 || host.architecture == CpuArchitecture::x86;
    ScopedIsaEnv env(is_x86 ? "neon" : "avx2");
    Result<IsaLevel> level = host_isa_level();
    REQUIRE_FALSE(level.is_ok());
    CHECK(level.status().code() == StatusCode::unsupported);
  }
}

TEST_CASE("describe_cpu_isa renders exactly the flags that are set") {
  CpuFeatures x86 = avx512_machine();
  x86.avx512bf16 = true;
  CHECK(describe_cpu_isa(x86) ==
        "x86_64: sse4.2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512dq avx512vnni avx512bf16 (no amx)");
  x86.amx_tile = x86.amx_int8 = true;
  CHECK(describe_cpu_isa(x86).find("amx_tile amx_int8") != std::string::npos);
  CHECK(describe_cpu_isa(x86).find("(no amx)") == std::string::npos);

  CHECK(describe_cpu_isa(pi5_machine()) == "aarch64: neon fp16 dotprod (no i8mm)");
  CpuFeatures bare_arm;
  bare_arm.architecture = CpuArchitecture::arm;
  CHECK(describe_cpu_isa(bare_arm) == "arm: none (no i8mm)");
  CHECK(describe_cpu_isa(CpuFeatures()) == "other: no SIMD kernels (scalar only)");
}

TEST_CASE("describe_cpu_topology formats counts and caches") {
  CpuFeatures f = avx2_machine();
  f.vendor = "Intel";
  f.model_name = "Test CPU";
  f.physical_cores = 4;
  f.logical_processors = 8;
  f.l1d_cache_bytes = 48 * 1024;
  f.l2_cache_bytes = 2 * 1024 * 1024;
  f.cpuinfo_available = true;
  CHECK(describe_cpu_topology(f) == "Test CPU (Intel), 4 cores / 8 threads, L1d 48 KiB, L2 2 MiB");
}
