// The dispatch table: filled from the allowed ISA level and the CPU's
// features; never selects a variant the build lacks or the CPU cannot run;
// a forced level the CPU lacks is an error.
#include <doctest/doctest.h>

#include <string>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/dispatch/kernel_variants.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

const MatmulVariant *find_variant(const std::string &name) {
  size_t n = 0;
  const MatmulVariant *variants = compiled_matmul_variants(&n);
  for (size_t i = 0; i < n; ++i) {
    if (name == variants[i].name) return &variants[i];
  }
  return nullptr;
}

}  // namespace

TEST_CASE("dispatch table for scalar uses only scalar kernels") {
  Result<KernelTable> table = build_kernel_table(IsaLevel::scalar, host_cpu_features());
  REQUIRE(table.is_ok());
  for (TensorType type : kMatmulWeightTypes) {
    CHECK(std::string(table.value().matmul_variant_name(type)) == "scalar");
    CHECK(table.value().matmul_kernels(type) == matmul_q8_kernels_scalar(type));
  }
}

TEST_CASE("dispatch table picks only variants the CPU supports at or below the allowed level") {
  const CpuFeatures &cpu = host_cpu_features();
  const IsaLevel levels[] = {IsaLevel::scalar, IsaLevel::avx2, IsaLevel::avx512,
                             IsaLevel::neon, IsaLevel::dotprod, IsaLevel::i8mm};
  int built = 0;
  for (IsaLevel level : levels) {
    Result<KernelTable> table = build_kernel_table(level, cpu);
    if (!cpu_supports_isa_level(cpu, level)) {
      CHECK_FALSE(table.is_ok());
      continue;
    }
    REQUIRE(table.is_ok());
    ++built;
    for (TensorType type : kMatmulWeightTypes) {
      const std::string name = table.value().matmul_variant_name(type);
      CAPTURE(name);
      CAPTURE(isa_level_name(level));
      const MatmulVariant *v = find_variant(name);
      REQUIRE(v != nullptr);
      CHECK(v->cpu_supports(cpu));
      CHECK(static_cast<int>(v->level) <= static_cast<int>(level));
      if (level == IsaLevel::avx2) CHECK(name.rfind("avx512", 0) != 0);
      CHECK(table.value().matmul_kernels(type) == v->kernels(type));
    }
  }
  CHECK(built >= 1);
}

TEST_CASE("dispatch table takes the best compiled variant the CPU supports") {
  const CpuFeatures &cpu = host_cpu_features();
  const IsaLevel best = best_isa_level(cpu);
  Result<KernelTable> table = build_kernel_table(best, cpu);
  REQUIRE(table.is_ok());
  const MatmulVariant *vnni = find_variant("avx512vnni");
  const MatmulVariant *avx2 = find_variant("avx2");
  const char *want = nullptr;
  if (vnni != nullptr && vnni->cpu_supports(cpu)) {
    want = "avx512vnni";
  } else if (avx2 != nullptr && avx2->cpu_supports(cpu) && best == IsaLevel::avx2) {
    want = "avx2";
  } else {
    MESSAGE("no x86 SIMD variant runs here; best level " << std::string(isa_level_name(best)));
    return;
  }
  // Every weight type has an x86 SIMD variant (legacy Q4_1 / Q5_0 / Q5_1 and
  // Q5_K included): none is left on scalar. BF16 goes to avx512bf16 where
  // the CPU has it (that variant covers BF16 only).
  const MatmulVariant *bf16 = find_variant("avx512bf16");
  const bool bf16_runs = bf16 != nullptr && bf16->cpu_supports(cpu) && best == IsaLevel::avx512;
  for (TensorType type : kMatmulWeightTypes) {
    CAPTURE(tensor_type_info(type)->name);
    const char *want_type = type == TensorType::bf16 && bf16_runs ? "avx512bf16" : want;
    CHECK(std::string(table.value().matmul_variant_name(type)) == want_type);
  }
}

// avxvnni (AVX-VNNI, VEX) is an avx2-level variant after avx2: it wins the
// avx2 level on a CPU that has AVX-VNNI, and loses every type to the
// avx512 variants at the avx512 level. Checked on feature sets made up
// here, so it runs on any x86 CPU (the kernels are only looked up, not run).
TEST_CASE("dispatch table ranks avxvnni above avx2 and below the avx512 variants") {
  const MatmulVariant *avxvnni = find_variant("avxvnni");
  if (avxvnni == nullptr) {
    MESSAGE("skipped: this build has no avxvnni variant");
    return;
  }
  CHECK(avxvnni->level == IsaLevel::avx2);
  CpuFeatures alder_lake;  // AVX2 + AVX-VNNI, no AVX-512
  alder_lake.architecture = host_cpu_features().architecture;
  alder_lake.avx = alder_lake.avx2 = alder_lake.fma = alder_lake.f16c = alder_lake.avx_vnni = true;
  Result<KernelTable> table = build_kernel_table(IsaLevel::avx2, alder_lake);
  REQUIRE(table.is_ok());
  for (TensorType type : kMatmulWeightTypes) {
    CAPTURE(tensor_type_info(type)->name);
    CHECK(std::string(table.value().matmul_variant_name(type)) == "avxvnni");
  }
  CHECK(table.value().matmul_kernels(TensorType::q4_0)->repacked != nullptr);
  CHECK(table.value().matmul_kernels(TensorType::q8_0)->repacked != nullptr);

  alder_lake.avx_vnni = false;  // the same CPU without AVX-VNNI: avx2
  Result<KernelTable> plain = build_kernel_table(IsaLevel::avx2, alder_lake);
  REQUIRE(plain.is_ok());
  CHECK(std::string(plain.value().matmul_variant_name(TensorType::q4_0)) == "avx2");

  CpuFeatures both = alder_lake;  // AVX-VNNI and AVX-512 VNNI (Sapphire Rapids)
  both.avx_vnni = both.avx512f = both.avx512bw = both.avx512vl = both.avx512vnni = true;
  Result<KernelTable> forced_avx2 = build_kernel_table(IsaLevel::avx2, both);
  REQUIRE(forced_avx2.is_ok());
  CHECK(std::string(forced_avx2.value().matmul_variant_name(TensorType::q4_0)) == "avxvnni");
  Result<KernelTable> best = build_kernel_table(IsaLevel::avx512, both);
  REQUIRE(best.is_ok());
  if (find_variant("avx512vnni") != nullptr) {
    for (TensorType type : kMatmulWeightTypes) {
      CAPTURE(tensor_type_info(type)->name);
      CHECK(std::string(best.value().matmul_variant_name(type)) == "avx512vnni");
    }
  }
}

// avx512bf16 has kernels for BF16 only; for every other type it returns
// nullptr, which must leave the earlier variants' kernels in the table.
TEST_CASE("dispatch table takes avx512bf16 for BF16 only and keeps the earlier variants for the rest") {
  const MatmulVariant *bf16 = find_variant("avx512bf16");
  if (bf16 == nullptr || !cpu_supports_isa_level(host_cpu_features(), IsaLevel::avx512)) {
    MESSAGE("skipped: this build has no avx512bf16 variant, or this CPU lacks AVX-512");
    return;
  }
  CHECK(bf16->level == IsaLevel::avx512);
  for (TensorType type : kMatmulWeightTypes) {
    if (type != TensorType::bf16) CHECK(bf16->kernels(type) == nullptr);
  }
  CpuFeatures zen4;  // AVX-512 F/BW/VL + VNNI + BF16 (made up here: kernels looked up, not run)
  zen4.architecture = host_cpu_features().architecture;
  zen4.avx = zen4.avx2 = zen4.fma = zen4.f16c = true;
  zen4.avx512f = zen4.avx512bw = zen4.avx512vl = zen4.avx512vnni = zen4.avx512bf16 = true;
  Result<KernelTable> table = build_kernel_table(IsaLevel::avx512, zen4);
  REQUIRE(table.is_ok());
  const char *rest = find_variant("avx512vnni") != nullptr ? "avx512vnni" : "avx512";
  for (TensorType type : kMatmulWeightTypes) {
    CAPTURE(tensor_type_info(type)->name);
    CHECK(std::string(table.value().matmul_variant_name(type)) == (type == TensorType::bf16 ? "avx512bf16" : rest));
  }
  zen4.avx512bf16 = false;  // without the feature: never chosen
  Result<KernelTable> no_bf16 = build_kernel_table(IsaLevel::avx512, zen4);
  REQUIRE(no_bf16.is_ok());
  CHECK(std::string(no_bf16.value().matmul_variant_name(TensorType::bf16)) == rest);
  Result<KernelTable> avx2 = build_kernel_table(IsaLevel::avx2, zen4);  // BALLAST_ISA=avx2
  REQUIRE(avx2.is_ok());
  CHECK(std::string(avx2.value().matmul_variant_name(TensorType::bf16)) == "avx2");
}

TEST_CASE("dispatch table takes the best compiled ARM variant the CPU supports") {
  const CpuFeatures &cpu = host_cpu_features();
  const char *best_arm = nullptr;  // best runnable ARM variant, lowest first
  for (const char *name : {"neon", "dotprod", "i8mm"}) {
    const MatmulVariant *v = find_variant(name);
    if (v != nullptr && v->cpu_supports(cpu)) best_arm = name;
  }
  if (best_arm == nullptr) {
    MESSAGE("skipped: no ARM variant compiled or runnable here");
    return;
  }
  Result<KernelTable> table = build_kernel_table(best_isa_level(cpu), cpu);
  REQUIRE(table.is_ok());
  for (TensorType type : kMatmulWeightTypes) {  // every type has an ARM variant
    CAPTURE(tensor_type_info(type)->name);
    CHECK(std::string(table.value().matmul_variant_name(type)) == best_arm);
  }
  // Forcing neon on a CPU with more keeps neon.
  Result<KernelTable> neon = build_kernel_table(IsaLevel::neon, cpu);
  REQUIRE(neon.is_ok());
  CHECK(std::string(neon.value().matmul_variant_name(TensorType::q8_0)) == "neon");
}

TEST_CASE("dispatch table refuses a level the CPU lacks and never picks unsupported variants") {
  CpuFeatures plain;  // nothing detected
  plain.architecture = host_cpu_features().architecture;
  CHECK_FALSE(build_kernel_table(IsaLevel::avx2, plain).is_ok());
  CHECK_FALSE(build_kernel_table(IsaLevel::avx512, plain).is_ok());

  // AVX-512 F/BW/VL without VNNI: the avx512vnni variant is never chosen.
  CpuFeatures no_vnni = host_cpu_features();
  no_vnni.avx512vnni = false;
  if (cpu_supports_isa_level(no_vnni, IsaLevel::avx512)) {
    Result<KernelTable> table = build_kernel_table(IsaLevel::avx512, no_vnni);
    REQUIRE(table.is_ok());
    for (TensorType type : kMatmulWeightTypes) CHECK(std::string(table.value().matmul_variant_name(type)) != "avx512vnni");
    CHECK(std::string(table.value().matmul_variant_name(TensorType::q4_0)) ==
          (find_variant("avx512") != nullptr ? "avx512" : (find_variant("avx2") != nullptr ? "avx2" : "scalar")));
  } else {
    MESSAGE("skipped AVX-512-without-VNNI table check: this CPU lacks AVX-512");
  }
}

TEST_CASE("host dispatch table is built once") {
  Result<const KernelTable *> a = host_kernel_table();
  Result<const KernelTable *> b = host_kernel_table();
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(a.value() == b.value());
}
