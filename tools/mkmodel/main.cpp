// ballast-mkmodel: writes a random-weight GGUF model of a supported
// architecture, shape and weight type, so tests and demos never need a
// downloaded model. See usage() below.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tools/mkmodel/model_generator.h"

using namespace ballast;
using namespace ballast::mkmodel;

namespace {

void usage(FILE *out) {
  std::fprintf(out,
               "usage: ballast-mkmodel -o OUT.gguf [options]\n"
               "Writes a GGUF model with random weights (deterministic for a seed).\n"
               "\n"
               "  -o, --output FILE     output path (required)\n"
               "  --arch NAME           llama | qwen2 | qwen3 (default llama)\n"
               "  --preset NAME         tiny | tinyllama | smollm2-135m (default tiny)\n"
               "                          tiny:         dim 64, 2 layers, 4 heads, 2 KV heads, ffn 128, vocab 320\n"
               "                          tinyllama:    dim 2048, 22 layers, 32 heads, 4 KV heads, ffn 5632, vocab 32000\n"
               "                          smollm2-135m: dim 576, 30 layers, 9 heads, 3 KV heads, ffn 1536, vocab 49152, tied\n"
               "  --type NAME           type of the 2-D weight matrices: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1\n"
               "                        q4_k q5_k q6_k (default f32). Norms and biases stay F32. Rows that are\n"
               "                        not a whole number of blocks fall back as llama.cpp does (noted on stderr).\n"
               "  --dim N --layers N --heads N --kv-heads N --head-dim N (qwen3 only) --ffn N --vocab N --ctx N\n"
               "  --rope-theta X --eps X  override the preset\n"
               "  --tied / --untied     share token_embd as the output head (no output.weight), or not\n"
               "  --seed N              random seed (default 1)\n"
               "  --name TEXT           general.name\n"
               "  --vocab-from FILE     copy the tokenizer.* keys from another GGUF file (vocab size follows it);\n"
               "                        without it a synthetic SentencePiece-style vocab is written\n"
               "  --threads N           generator threads (default: all cores; output is the same for any N)\n"
               "  --progress / --quiet  force progress lines on stderr on/off (default: on for big models)\n"
               "  -h, --help            this text\n");
}

bool parse_u32(const std::string &text, uint32_t *out) {
  if (text.empty()) return false;
  char *end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || v > 0xffffffffull || text[0] == '-') return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool parse_u64(const std::string &text, uint64_t *out) {
  if (text.empty() || text[0] == '-') return false;
  char *end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0') return false;
  *out = v;
  return true;
}

bool parse_float(const std::string &text, float *out) {
  if (text.empty()) return false;
  char *end = nullptr;
  const float v = std::strtof(text.c_str(), &end);
  if (*end != '\0') return false;
  *out = v;
  return true;
}

int fail(const std::string &message) {
  std::fprintf(stderr, "ballast-mkmodel: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  std::string output, arch_text = "llama", preset = "tiny", type_text;
  std::vector<std::pair<std::string, std::string>> overrides;  // applied after the preset, in order
  int progress_mode = -1;  // -1 auto, 0 off, 1 on
  static const char *kValueOptions[] = {"--dim", "--layers", "--heads", "--kv-heads", "--head-dim", "--ffn", "--vocab",
                                        "--ctx", "--rope-theta", "--eps", "--seed", "--name", "--vocab-from", "--threads"};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string *out) -> bool {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    } else if (arg == "-o" || arg == "--output") {
      if (!value(&output)) return fail("missing value after " + arg);
    } else if (arg == "--arch") {
      if (!value(&arch_text)) return fail("missing value after --arch");
    } else if (arg == "--preset") {
      if (!value(&preset)) return fail("missing value after --preset");
    } else if (arg == "--type") {
      if (!value(&type_text)) return fail("missing value after --type");
    } else if (arg == "--tied" || arg == "--untied") {
      overrides.emplace_back(arg, "");
    } else if (arg == "--progress") {
      progress_mode = 1;
    } else if (arg == "--quiet") {
      progress_mode = 0;
    } else {
      bool known = false;
      for (const char *option : kValueOptions) known = known || arg == option;
      if (!known) {
        usage(stderr);
        return fail("unknown option '" + arg + "'");
      }
      std::string v;
      if (!value(&v)) return fail("missing value after " + arg);
      overrides.emplace_back(arg, v);
    }
  }
  if (output.empty()) {
    usage(stderr);
    return fail("no output file: pass -o OUT.gguf");
  }

  Result<ModelArch> arch = parse_arch(arch_text);
  if (!arch.is_ok()) return fail(arch.status().message());
  Result<ModelSpec> preset_result = preset_spec(preset, arch.value());
  if (!preset_result.is_ok()) return fail(preset_result.status().message());
  ModelSpec spec = preset_result.value();
  if (!type_text.empty()) {
    Result<TensorType> type = parse_weight_type(type_text);
    if (!type.is_ok()) return fail(type.status().message());
    spec.type = type.value();
  }
  for (const auto &[option, v] : overrides) {
    bool ok = true;
    if (option == "--tied") spec.tied = true;
    else if (option == "--untied") spec.tied = false;
    else if (option == "--dim") ok = parse_u32(v, &spec.dim);
    else if (option == "--layers") ok = parse_u32(v, &spec.layers);
    else if (option == "--heads") ok = parse_u32(v, &spec.heads);
    else if (option == "--kv-heads") ok = parse_u32(v, &spec.kv_heads);
    else if (option == "--head-dim") ok = parse_u32(v, &spec.head_dim);
    else if (option == "--ffn") ok = parse_u32(v, &spec.ffn);
    else if (option == "--vocab") ok = parse_u32(v, &spec.vocab);
    else if (option == "--ctx") ok = parse_u32(v, &spec.ctx);
    else if (option == "--rope-theta") ok = parse_float(v, &spec.rope_theta);
    else if (option == "--eps") ok = parse_float(v, &spec.rms_eps);
    else if (option == "--seed") ok = parse_u64(v, &spec.seed);
    else if (option == "--threads") ok = parse_u32(v, &spec.threads);
    else if (option == "--name") spec.name = v;
    else if (option == "--vocab-from") spec.vocab_from = v;
    if (!ok) return fail("bad value '" + v + "' for " + option);
  }

  // Progress lines by default once the model is big enough to take a while.
  uint64_t parameters = 0;
  for (const TensorPlan &plan : plan_tensors(spec)) {
    uint64_t n = 1;
    for (uint64_t d : plan.shape) n *= d;
    parameters += n;
  }
  const bool show_progress = progress_mode == 1 || (progress_mode == -1 && parameters > 20000000);
  const auto start = std::chrono::steady_clock::now();
  ProgressFn progress;
  if (show_progress) {
    progress = [start](size_t index, size_t count, const TensorPlan &plan) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::string shape;
      for (uint64_t d : plan.shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
      std::fprintf(stderr, "[%6.1fs] %zu/%zu %s %s %s\n", seconds, index + 1, count, plan.name.c_str(),
                   tensor_type_info(plan.type)->name, shape.c_str());
    };
  }

  Result<ModelBuild> build = write_model_file(spec, output, progress);
  if (!build.is_ok()) return fail(build.status().to_string());
  // Fallback notes: one per distinct message shape would be noisy for 30 layers; print each once.
  std::vector<std::string> printed;
  for (const std::string &note : build->notes) {
    std::string key = note;
    if (key.rfind("blk.", 0) == 0) key = "blk.N" + key.substr(key.find('.', 4));  // collapse per-layer repeats
    bool seen = false;
    for (const std::string &p : printed) seen = seen || p == key;
    if (seen) continue;
    printed.push_back(key);
    std::fprintf(stderr, "note: %s\n", key.c_str());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "wrote %s: %s, %u layers, dim %u, vocab %u, %s matrices, %zu tensors, %.1f M parameters, %.1fs\n",
               output.c_str(), arch_name(spec.arch), build->spec.layers, build->spec.dim, build->spec.vocab,
               tensor_type_info(spec.type)->name, build->tensors.size(), static_cast<double>(parameters) / 1e6, seconds);
  return 0;
}
