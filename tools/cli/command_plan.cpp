// `ballast plan`: prints the memory plan for a model and cache shape without
// reserving anything, so users can size a device before deploying.
#include <cstdio>

#include "models/model_config.h"
#include "models/model_file.h"
#include "platform/memory_stats.h"
#include "runtime/engine/session.h"
#include "runtime/memory_plan.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/plan_options.h"
#include "tools/cli/prefill_routes.h"

namespace ballast::cli {

int run_plan(int argc, char **argv) {
  std::string model_path;
  PlanOptions options;
  ArgParser parser("plan", "Print the byte budget of every arena region for MODEL and a cache shape,\n"
                           "without allocating. The total is what session creation reserves once.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required)");
  options.declare(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty()) {
    std::fprintf(stderr, "ballast plan: --model is required\n\n%s", parser.help().c_str());
    return 2;
  }
  Result<PlanInputs> inputs = options.to_inputs();
  if (!inputs.is_ok()) {
    std::fprintf(stderr, "ballast plan: %s\n", inputs.status().message().c_str());
    return 2;
  }
  Result<std::unique_ptr<ModelFile>> file = ModelFile::open(model_path);
  if (!file.is_ok()) {
    std::fprintf(stderr, "ballast plan: %s\n", file.status().to_string().c_str());
    return 1;
  }
  Result<ModelConfig> config = read_model_config(file.value()->gguf());
  if (!config.is_ok()) {
    std::fprintf(stderr, "ballast plan: %s: %s\n", model_path.c_str(), config.status().to_string().c_str());
    return 1;
  }
  Result<PrefillBackendChoice> prefill = options.prefill_choice();
  if (!prefill.is_ok()) {
    std::fprintf(stderr, "ballast plan: %s\n", prefill.status().message().c_str());
    return 2;
  }
  Result<bool> repack = resolve_repack_weights(true);
  if (!repack.is_ok()) {
    std::fprintf(stderr, "ballast plan: %s\n", repack.status().message().c_str());
    return 2;
  }
  inputs.value().prefill_backend = file_uses_prefill_backend(file.value()->gguf(), prefill.value(),
                                                             inputs.value().max_prefill_batch, repack.value());
  if (repack.value()) inputs.value().repacked_weight_bytes = file_repacked_weight_bytes(file.value()->gguf());
  Result<MemoryPlan> plan = plan_memory(config.value(), inputs.value());
  if (!plan.is_ok()) {
    std::fprintf(stderr, "ballast plan: %s\n", plan.status().to_string().c_str());
    return 1;
  }
  std::printf("model: %s (%s, %u layers, %u KV heads x %u dims)\n", model_path.c_str(),
              architecture_name(config->arch), config->n_layer, config->n_head_kv, config->head_dim_k);
  std::fputs(format_memory_plan(plan.value()).c_str(), stdout);
  std::printf("prefill (%s, chunks of %u): %s\n", prefill_backend_choice_name(prefill.value()),
              inputs.value().max_prefill_batch,
              describe_file_prefill_routes(file.value()->gguf(), prefill.value(), inputs.value().max_prefill_batch,
                                           repack.value())
                  .c_str());
  std::printf("weights: %s mapped read-only from the file (shared page cache, not in the arena)",
              format_bytes(file.value()->mapping().size()).c_str());
  if (inputs.value().repacked_weight_bytes > 0) {
    std::printf("; %s of them copied into the arena's repacked_weights (their file pages are dropped; "
                "BALLAST_REPACK=0 keeps them in place)",
                format_bytes(inputs.value().repacked_weight_bytes).c_str());
  }
  std::printf("\n");
  Result<SystemMemory> memory = read_system_memory();
  if (memory.is_ok()) {
    std::printf("this machine: %s available of %s%s\n", format_bytes(memory->available_bytes).c_str(),
                format_bytes(memory->total_bytes).c_str(),
                plan->total_bytes > memory->available_bytes ? "  -- NOT ENOUGH for this plan" : "");
  }
  return 0;
}

}  // namespace ballast::cli
