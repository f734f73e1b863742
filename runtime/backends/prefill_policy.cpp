#include "runtime/backends/prefill_policy.h"

#include <cstdlib>
#include <string_view>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/quant/quant_type_traits.h"
#include "platform/cpu_features.h"

namespace ballast {
namespace {

bool dequantizable(TensorType type) {
  const QuantTypeTraits *traits = quant_type_traits(type);
  return traits != nullptr && traits->dequantize_row != nullptr;
}

bool is_k_quant(TensorType type) {
  return type == TensorType::q4_k || type == TensorType::q5_k || type == TensorType::q6_k;
}

// Legacy types whose native batched matmul is the 4-activation-row SIMD loop,
// with no register-tiled kernel (Q4_0 / Q5_0 / Q8_0 have one).
bool is_untiled_legacy(TensorType type) { return type == TensorType::q4_1 || type == TensorType::q5_1; }

// The measured table for "auto" (docs/PERFORMANCE.md, "Prefill backends";
// one thread, Zen 4, TinyLlama and SmolLM2 projection shapes):
//  - types whose native matmul is scalar on this CPU (none with AVX2 or
//    NEON since Q4_1 / Q5_0 / Q5_1 / Q5_K got SIMD kernels; when they were
//    scalar, SmolLM2 Q4_K_M, mostly Q5_0, prefilled at 5.8 tok/s native vs
//    194 with oneDNN): any backend is far faster: oneDNN from 8 tokens.
//  - Q4_0 / Q5_0 / Q8_0: oneDNN bf16 is 1.05-1.45x the native tiled kernels
//    at batch 128 (Q5_0 1536x576 and 576x1536: 1.2x), even with the
//    per-chunk dequantization, and slower at 64 (Q5_0: native 1.2x faster).
//    Native below 128 tokens (and without bf16 hardware: oneDNN f32 loses).
//    Where the session repacks the weights (x86: q4_0x8, q5_0x8, q8_0x8)
//    "auto" never asks this table (ForwardPass::route_prefill): the
//    repacked kernels beat oneDNN bf16 at every batch (SmolLM2 Q4_K_M,
//    mostly Q5_0: 128-token prefill 452 -> 681 tok/s at 1 thread).
//  - Q4_1 / Q5_1 (SIMD rows, no tiled batched kernel): as the K-quants.
//    1536x576: oneDNN bf16 ties native at 32, is 1.7-1.8x at 64 and
//    2.6-4.3x at 128; oneDNN f32 loses at 32 and is 1.6-2.9x at 128.
//  - F16: oneDNN bf16 is ~1.3x native at 128, but bf16 keeps 8 significant
//    bits of an f16's 11: native, which keeps the model's precision
//    (--prefill-backend onednn trades it for the speed).
//  - K-quants (no native batched tile yet): oneDNN bf16 is 1.2-2.8x native
//    from batch 64 (at batch 16 native wins); oneDNN f32, for CPUs without
//    bf16, is 1.4-2.4x native at batch 128 but not at 64.
//  - BF16: the native avx512bf16 tile (vdpbf16ps) is 3.3x the old
//    widening rows, and oneDNN bf16 still 1.15-1.2x it on SmolLM2 BF16
//    (549 vs 458 tok/s at chunks of 64, 559 vs 484 at 128); both round the
//    activations to bf16 and the weights are bf16 already, so nothing is
//    lost: oneDNN bf16 from 64 tokens on bf16 hardware, else native.
//  - XNNPACK (Debian's 2022 f32 fully-connected, weights packed per call) was
//    2-5x slower than native everywhere: never chosen automatically.
// Threads: since every pool thread multiplies its own weight slices
// (backend_linear.h), the same table held at 2 threads in one sweep on the
// shared VM at load ~11 (Q4_0/Q8_0 5632x2048: native ahead at 64 tokens,
// oneDNN bf16 at 128; K-quants: oneDNN bf16 from 64), so the route does not
// depend on the thread count.
PrefillRoute automatic_route(const PrefillShape &shape, bool cpu_bf16) {
  const PrefillOperand best = cpu_bf16 ? PrefillOperand::bf16 : PrefillOperand::f32;
  if (shape.native_scalar) return PrefillRoute{PrefillBackendKind::onednn, best, 8};
  if ((shape.type == TensorType::q4_0 || shape.type == TensorType::q5_0 || shape.type == TensorType::q8_0) &&
      cpu_bf16) {
    return PrefillRoute{PrefillBackendKind::onednn, PrefillOperand::bf16, 128};
  }
  if (shape.type == TensorType::bf16 && cpu_bf16) return PrefillRoute{PrefillBackendKind::onednn, PrefillOperand::bf16, 64};
  if (is_k_quant(shape.type) || is_untiled_legacy(shape.type)) {
    if (cpu_bf16) return PrefillRoute{PrefillBackendKind::onednn, PrefillOperand::bf16, 64};
    return PrefillRoute{PrefillBackendKind::onednn, PrefillOperand::f32, 128};
  }
  return PrefillRoute{};
}

}  // namespace

PrefillRoute choose_prefill_route(PrefillBackendChoice choice, const PrefillShape &shape, bool cpu_bf16) {
  if (shape.max_batch < 2 || !dequantizable(shape.type)) return PrefillRoute{};
  PrefillRoute route;
  switch (choice) {
    case PrefillBackendChoice::native: return PrefillRoute{};
    case PrefillBackendChoice::automatic: route = automatic_route(shape, cpu_bf16); break;
    case PrefillBackendChoice::onednn:
      route = PrefillRoute{PrefillBackendKind::onednn, cpu_bf16 ? PrefillOperand::bf16 : PrefillOperand::f32, 2};
      break;
    case PrefillBackendChoice::xnnpack: route = PrefillRoute{PrefillBackendKind::xnnpack, PrefillOperand::f32, 2}; break;
  }
  if (!prefill_backend_compiled(route.kind) || shape.max_batch < route.min_batch) return PrefillRoute{};
  return route;
}

PrefillRoute choose_prefill_route(PrefillBackendChoice choice, const PrefillShape &shape) {
  // A forced kernel level (BALLAST_ISA: tests and diagnostics of the native
  // kernels) keeps "auto" on those kernels; a forced backend still applies.
  const char *forced_isa = std::getenv("BALLAST_ISA");
  if (choice == PrefillBackendChoice::automatic && forced_isa != nullptr && forced_isa[0] != '\0') return PrefillRoute{};
  const CpuFeatures &cpu = host_cpu_features();
  PrefillShape host_shape = shape;
  Result<const KernelTable *> table = host_kernel_table();
  host_shape.native_scalar = table.is_ok() && std::string_view(table.value()->matmul_variant_name(shape.type)) == "scalar";
  return choose_prefill_route(choice, host_shape, cpu.avx512bf16 || cpu.amx_bf16);
}

Result<PrefillBackendChoice> resolve_prefill_choice(PrefillBackendChoice requested) {
  const char *env = std::getenv("BALLAST_PREFILL");
  if (env == nullptr || env[0] == '\0') return requested;
  Result<PrefillBackendChoice> parsed = parse_prefill_backend_choice(env);
  if (!parsed.is_ok()) return make_status(parsed.status().code(), "BALLAST_PREFILL: %s", parsed.status().message().c_str());
  return parsed;
}

}  // namespace ballast
