// The memory plan: a pure function from (model config, cache shape, threads,
// prefill batch, KV dtype) to the byte size of every arena region. Nothing is
// allocated here; `ballast plan` prints the result, session creation reserves
// exactly plan.total_bytes once and carves the regions from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/model_config.h"
#include "platform/status.h"

namespace ballast {

enum class KvType { f16, f32 };
const char *kv_type_name(KvType type);
size_t kv_type_bytes(KvType type);
Result<KvType> parse_kv_type(std::string_view name);

struct PlanInputs {
  uint32_t sink_slots = 4;         // S: KV slots never evicted
  uint32_t window = 2044;          // W: ring slots for the most recent tokens (excludes sinks)
  uint32_t threads = 1;            // worker threads, each with its own scratch
  uint32_t max_prefill_batch = 64; // tokens processed per prefill chunk
  uint32_t logit_rows = 1;         // rows of logits kept (1 for generation, batch for `ballast logits`)
  KvType kv_type = KvType::f16;
  uint64_t repacked_weight_bytes = 0;  // weights copied into SIMD layouts (kernel dispatch decides)
  bool prefill_backend = false;    // a prefill backend (runtime/backends/) runs some projection: plan its scratch
};

// Every region is a multiple of kArenaAlignment so regions can be laid out
// back to back with each one aligned for the widest SIMD loads.
constexpr uint64_t kArenaAlignment = 64;

struct PlanRegion {
  std::string name;         // "kv_ring", "activations", ...
  uint64_t bytes = 0;       // rounded up to kArenaAlignment
  uint64_t offset = 0;      // from the start of the arena
  std::string detail;       // how the size was computed, in shapes
};

struct MemoryPlan {
  PlanInputs inputs;
  std::vector<PlanRegion> regions;
  uint64_t total_bytes = 0;

  const PlanRegion *find(std::string_view name) const;
};

// Fails (invalid_argument) on impossible inputs: zero window with zero sinks,
// sinks > 64, zero threads or batch, sizes that overflow.
Result<MemoryPlan> plan_memory(const ModelConfig &model, const PlanInputs &inputs);

// Human-readable table (`ballast plan`).
std::string format_memory_plan(const MemoryPlan &plan);
// "1.50 MiB" style.
std::string format_bytes(uint64_t bytes);

}  // namespace ballast
