// `ballast info MODEL.gguf`: everything a user wants to know before running a
// model: file and metadata, hyperparameters, tensor table, tokenizer, the CPU
// features found and the kernel variant that would run, and the memory plan.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <string>

#include "models/model_config.h"
#include "models/model_file.h"
#include "models/tokenizer/tokenizer.h"
#include "kernels/dispatch/kernel_table.h"
#include "kernels/dispatch/kernel_variants.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"
#include "runtime/engine/session.h"
#include "runtime/memory_plan.h"
#include "runtime/threading/thread_pool.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/plan_options.h"
#include "tools/cli/prefill_routes.h"

namespace ballast::cli {
namespace {

std::string shape_string(const GgufTensorInfo &t) {
  std::string s = "[";
  for (uint32_t d = 0; d < t.n_dims; ++d) {
    if (d != 0) s += ", ";
    s += std::to_string(t.shape[d]);
  }
  return s + "]";
}

void print_metadata(const GgufFile &gguf) {
  std::printf("\nmetadata (%zu keys):\n", gguf.metadata().size());
  for (const GgufKeyValue &kv : gguf.metadata()) {
    std::printf("  %-44.*s %s\n", static_cast<int>(kv.key.size()), kv.key.data(), gguf.value_to_string(kv.value, 6).c_str());
  }
}

void print_tensors(const GgufFile &gguf, bool all) {
  std::printf("\ntensors (%zu):\n", gguf.tensors().size());
  std::map<std::string, std::pair<size_t, uint64_t>> by_type;  // type name -> (count, bytes)
  uint64_t total = 0;
  size_t shown = 0;
  for (const GgufTensorInfo &t : gguf.tensors()) {
    const char *type = tensor_type_info(t.type)->name;
    by_type[type].first += 1;
    by_type[type].second += t.byte_size;
    total += t.byte_size;
    if (all || shown < 24) {
      std::printf("  %-36.*s %-5s %-22s %12" PRIu64 " B\n", static_cast<int>(t.name.size()), t.name.data(), type,
                  shape_string(t).c_str(), t.byte_size);
      ++shown;
    }
  }
  if (shown < gguf.tensors().size()) {
    std::printf("  ... %zu more (use --all-tensors)\n", gguf.tensors().size() - shown);
  }
  std::printf("  by type:");
  for (const auto &[name, stats] : by_type) {
    std::printf("  %s x%zu (%s)", name.c_str(), stats.first, format_bytes(stats.second).c_str());
  }
  std::printf("\n  total tensor data: %s\n", format_bytes(total).c_str());
}

void print_model(const ModelConfig &c) {
  std::printf("\nmodel: %s%s%s\n", architecture_name(c.arch), c.name.empty() ? "" : ", ", c.name.c_str());
  std::printf("  vocab %u, width %u, layers %u, heads %u (KV heads %u, head dim %u/%u), ffn %u\n", c.n_vocab,
              c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.head_dim_k, c.head_dim_v, c.n_ff);
  std::printf("  rope: base %g, %u dims rotated; rms eps %g; output %s; trained context %u\n", c.rope_freq_base,
              c.rope_dim, c.rms_norm_eps, c.tied_output ? "tied to token_embd" : "separate", c.n_ctx_train);
}

void print_cpu() {
  const CpuFeatures &cpu = host_cpu_features();
  std::printf("\ncpu: %s\n  %s\n", describe_cpu_topology(cpu).c_str(), describe_cpu_isa(cpu).c_str());
  Result<IsaLevel> level = host_isa_level();
  if (level.is_ok()) {
    std::printf("  ISA level allowed: %s%s; kernels compiled: %s\n", isa_level_name(level.value()),
                std::getenv("BALLAST_ISA") != nullptr ? " (forced by BALLAST_ISA)" : " (best the CPU offers)",
                compiled_kernel_variants());
    Result<const KernelTable *> table = host_kernel_table();
    if (table.is_ok()) {
      const KernelTable &t = *table.value();
      std::printf("  kernel variants that run:\n    matmul:");
      for (TensorType type : kMatmulWeightTypes) {
        const QuantizedMatmulKernels *k = t.matmul_kernels(type);
        const bool repacks = k != nullptr && k->repacked != nullptr;
        std::printf(" %s=%s%s%s%s", tensor_type_info(type)->name, t.matmul_variant_name(type), repacks ? "(" : "",
                    repacks ? k->repacked->layout : "", repacks ? ")" : "");
      }
      std::printf("\n    attention=%s rope=%s rms_norm=%s silu_mul=%s add=%s\n", t.attention_variant, t.rope_variant,
                  t.rms_norm_variant, t.silu_mul_variant, t.add_variant);
      const Result<const char *> pool = thread_pool_implementation();
      std::printf("  thread pool (-t > 1): %s\n", pool.is_ok() ? pool.value() : pool.status().message().c_str());
    } else {
      std::printf("  kernel variants: none -- %s\n", table.status().message().c_str());
    }
  } else {
    std::printf("  kernel variant: none -- %s\n", level.status().message().c_str());
  }
}

}  // namespace

int run_info(int argc, char **argv) {
  std::string model_path;
  bool all_tensors = false;
  bool no_metadata = false;
  PlanOptions options;
  ArgParser parser("info", "Describe a GGUF model: metadata, hyperparameters, tensors, tokenizer,\n"
                           "the CPU features and kernel variant here, and the memory plan.\n"
                           "The model may also be given as the first positional argument.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file");
  parser.add_flag("--all-tensors", &all_tensors, "list every tensor, not just the first 24");
  parser.add_flag("--no-metadata", &no_metadata, "skip the raw metadata listing");
  options.declare(parser);
  // `ballast info MODEL.gguf`: accept one leading positional path.
  if (argc >= 2 && argv[1][0] != '-') {
    model_path = argv[1];
    argv[1] = argv[0];
    ++argv;
    --argc;
  }
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty()) {
    std::fprintf(stderr, "ballast info: a model file is required\n\n%s", parser.help().c_str());
    return 2;
  }
  Result<PlanInputs> inputs = options.to_inputs();
  if (!inputs.is_ok()) {
    std::fprintf(stderr, "ballast info: %s\n", inputs.status().message().c_str());
    return 2;
  }
  Result<std::unique_ptr<ModelFile>> file = ModelFile::open(model_path);
  if (!file.is_ok()) {
    std::fprintf(stderr, "ballast info: %s\n", file.status().to_string().c_str());
    return 1;
  }
  const GgufFile &gguf = file.value()->gguf();
  std::printf("file: %s\n  %s, GGUF v%u, alignment %u, %zu keys, %zu tensors, data at offset %" PRIu64 "\n",
              model_path.c_str(), format_bytes(gguf.file_size()).c_str(), gguf.version(), gguf.alignment(),
              gguf.metadata().size(), gguf.tensors().size(), gguf.data_section_offset());

  Result<ModelConfig> config = read_model_config(gguf);
  if (config.is_ok()) {
    print_model(config.value());
  } else {
    std::printf("\nmodel: not runnable -- %s\n", config.status().to_string().c_str());
  }
  if (!no_metadata) print_metadata(gguf);
  print_tensors(gguf, all_tensors);

  Result<Vocab> vocab = load_vocab(gguf);
  if (vocab.is_ok()) {
    Result<Tokenizer> tokenizer = Tokenizer::create(std::move(vocab).value());
    std::printf("\ntokenizer: %s\n", tokenizer.is_ok() ? tokenizer->summary().c_str()
                                                       : tokenizer.status().to_string().c_str());
  } else {
    std::printf("\ntokenizer: none -- %s\n", vocab.status().to_string().c_str());
  }

  print_cpu();

  Result<PrefillBackendChoice> prefill = options.prefill_choice();
  if (!prefill.is_ok()) {
    std::printf("\nprefill: %s\n", prefill.status().message().c_str());
  } else {
    const Result<bool> repack_choice = resolve_repack_weights(true);
    const bool repack = repack_choice.is_ok() && repack_choice.value();
    inputs.value().prefill_backend =
        file_uses_prefill_backend(gguf, prefill.value(), inputs.value().max_prefill_batch, repack);
    if (repack) inputs.value().repacked_weight_bytes = file_repacked_weight_bytes(gguf);
    std::printf("\nprefill (%s, chunks of %u; backends in this build:%s%s): %s\n", prefill_backend_choice_name(prefill.value()),
                inputs.value().max_prefill_batch, prefill_backend_compiled(PrefillBackendKind::onednn) ? " onednn" : "",
                prefill_backend_compiled(PrefillBackendKind::xnnpack) ? " xnnpack" : "",
                describe_file_prefill_routes(gguf, prefill.value(), inputs.value().max_prefill_batch, repack).c_str());
  }
  if (config.is_ok()) {
    Result<MemoryPlan> plan = plan_memory(config.value(), inputs.value());
    std::printf("\n%s", plan.is_ok() ? format_memory_plan(plan.value()).c_str()
                                     : ("memory plan: " + plan.status().to_string() + "\n").c_str());
  }
  return 0;
}

}  // namespace ballast::cli
