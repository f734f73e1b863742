// The cache-shape options shared by every subcommand that plans memory
// (`plan`, `info`, later `generate`, `stream`, ...): one definition, one help text.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/backends/prefill_policy.h"
#include "runtime/memory_plan.h"
#include "tools/cli/arg_parser.h"

namespace ballast::cli {

struct PlanOptions {
  int64_t sinks = 4;
  int64_t window = 2044;
  int64_t threads = 1;
  int64_t batch = 64;
  std::string kv_type = "f16";
  std::string prefill_backend = "auto";

  void declare(ArgParser &parser) {
    parser.add_int("--sinks", "", &sinks, 0, 64, "attention-sink KV slots, never evicted");
    parser.add_int("--window", "", &window, 1, 1 << 24, "rolling-window KV slots (excluding sinks)");
    parser.add_int("--threads", "-t", &threads, 1, 256, "worker threads");
    parser.add_int("--batch", "", &batch, 1, 4096, "max tokens per prefill chunk");
    parser.add_string("--kv-type", "", &kv_type, "KV cache element type: f16 or f32");
    parser.add_string("--prefill-backend", "", &prefill_backend,
                      "prefill matmuls: auto | native | onednn | xnnpack (BALLAST_PREFILL overrides); plans their scratch");
  }

  // The choice after BALLAST_PREFILL, as a session would resolve it.
  Result<PrefillBackendChoice> prefill_choice() const {
    BALLAST_ASSIGN_OR_RETURN(PrefillBackendChoice requested, parse_prefill_backend_choice(prefill_backend));
    return resolve_prefill_choice(requested);
  }

  Result<PlanInputs> to_inputs() const {
    PlanInputs in;
    in.sink_slots = static_cast<uint32_t>(sinks);
    in.window = static_cast<uint32_t>(window);
    in.threads = static_cast<uint32_t>(threads);
    in.max_prefill_batch = static_cast<uint32_t>(batch);
    BALLAST_ASSIGN_OR_RETURN(in.kv_type, parse_kv_type(kv_type));
    return in;
  }
};

}  // namespace ballast::cli
