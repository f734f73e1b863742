#include "kernels/dispatch/kernel_table.h"

#include "kernels/activation/silu_mul_arm.h"
#include "kernels/activation/silu_mul_x86.h"
#include "kernels/attention/attention_arm.h"
#include "kernels/attention/attention_x86.h"
#include "kernels/dispatch/kernel_variants.h"
#include "kernels/norm/rms_norm_arm.h"
#include "kernels/norm/rms_norm_x86.h"
#include "kernels/quant/tensor_type.h"
#include "kernels/rope/rope_arm.h"
#include "kernels/rope/rope_x86.h"

namespace ballast {
namespace {

int type_index(TensorType type) {
  for (size_t i = 0; i < kMatmulWeightTypeCount; ++i) {
    if (kMatmulWeightTypes[i] == type) return static_cast<int>(i);
  }
  return -1;
}

// A variant of level `variant` may serve a table for `allowed`: scalar always,
// otherwise the same family at or below `allowed`.
bool level_allows(IsaLevel allowed, IsaLevel variant) {
  if (variant == IsaLevel::scalar) return true;
  if (variant == allowed) return true;
  if (allowed == IsaLevel::avx512) return variant == IsaLevel::avx2;
  if (allowed == IsaLevel::dotprod) return variant == IsaLevel::neon;
  if (allowed == IsaLevel::i8mm) return variant == IsaLevel::neon || variant == IsaLevel::dotprod;
  return false;
}

}  // namespace

const QuantizedMatmulKernels *KernelTable::matmul_kernels(TensorType type) const {
  const int i = type_index(type);
  return i < 0 ? nullptr : matmul[i];
}

const char *KernelTable::matmul_variant_name(TensorType type) const {
  const int i = type_index(type);
  return i < 0 || matmul_variant[i] == nullptr ? "none" : matmul_variant[i];
}

Result<KernelTable> build_kernel_table(IsaLevel allowed, const CpuFeatures &features) {
  if (!cpu_supports_isa_level(features, allowed)) {
    return make_status(StatusCode::unsupported, "kernel level %s needs %s, which this CPU lacks", isa_level_name(allowed),
                       isa_level_requirements(allowed));
  }
  KernelTable table;
  table.level = allowed;
  size_t n_variants = 0;
  const MatmulVariant *variants = compiled_matmul_variants(&n_variants);
  for (size_t t = 0; t < kMatmulWeightTypeCount; ++t) {
    const TensorType type = kMatmulWeightTypes[t];
    const QuantizedMatmulKernels *scalar = matmul_q8_kernels_scalar(type);
    table.matmul[t] = scalar;
    table.matmul_variant[t] = scalar != nullptr ? "scalar" : nullptr;
    for (size_t v = 0; v < n_variants; ++v) {  // best last: the last usable one wins
      const MatmulVariant &variant = variants[v];
      if (!level_allows(allowed, variant.level) || !variant.cpu_supports(features)) continue;
      const QuantizedMatmulKernels *kernels = variant.kernels(type);
      if (kernels == nullptr) continue;
      if (scalar != nullptr && kernels->activation != scalar->activation) {
        return make_status(StatusCode::internal, "%s matmul variant for %s reads %s activations, scalar reads %s",
                           variant.name, tensor_type_info(type)->name, activation_type_name(kernels->activation),
                           activation_type_name(scalar->activation));
      }
      table.matmul[t] = kernels;
      table.matmul_variant[t] = variant.name;
    }
  }
#if defined(BALLAST_HAVE_ISA_AVX2)
  if (level_allows(allowed, IsaLevel::avx2) && features.avx2 && features.fma && features.f16c) {
    table.attend_heads = attend_one_query_heads_avx2;
    table.attention_variant = "avx2";
    table.rms_norm_rows = rms_norm_rows_avx2;
    table.rms_norm_variant = "avx2";
    table.silu_mul = silu_mul_avx2;
    table.silu_mul_variant = "avx2";
    table.rope = rope_kernels_avx2();
    table.rope_variant = "avx2";
  }
#endif
#if defined(BALLAST_HAVE_ISA_AVX512)
  if (level_allows(allowed, IsaLevel::avx512) && features.avx2 && features.fma && features.f16c && features.avx512f &&
      features.avx512bw && features.avx512vl) {
    table.attend_heads = attend_one_query_heads_avx512;
    table.attention_variant = "avx512";
  }
#endif
#if defined(BALLAST_HAVE_ISA_NEON)
  if (level_allows(allowed, IsaLevel::neon) && features.neon) {
    table.attend_heads = attend_one_query_heads_neon;
    table.attention_variant = "neon";
    table.rms_norm_rows = rms_norm_rows_neon;
    table.rms_norm_variant = "neon";
    table.silu_mul = silu_mul_neon;
    table.silu_mul_variant = "neon";
#if defined(__aarch64__)
    table.rope = rope_kernels_neon();
    table.rope_variant = "neon";
#endif
  }
#endif
  return table;
}

Result<const KernelTable *> host_kernel_table() {
  struct Built {
    Status status;
    KernelTable table;
  };
  static const Built built = [] {
    Built b{Status::ok(), KernelTable{}};
    Result<IsaLevel> level = host_isa_level();
    if (!level.is_ok()) {
      b.status = level.status();
      return b;
    }
    Result<KernelTable> table = build_kernel_table(level.value(), host_cpu_features());
    if (!table.is_ok()) {
      b.status = table.status();
      return b;
    }
    b.table = table.value();
    return b;
  }();
  if (!built.status.is_ok()) return built.status;
  return &built.table;
}

}  // namespace ballast
