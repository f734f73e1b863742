// llamacpp_bench: times llama.cpp (the prebuilt libllama that
// tools/llamacpp/setup.sh installs) the way `ballast bench` times Ballast:
// per repeat the KV memory is cleared, a prompt of --prompt tokens is decoded
// as one batch (timed), then --decode tokens are fed one at a time (timed),
// with the same token ids as ballast bench. Medians over --repeat runs after a
// warm-up run. One JSON line on stdout, with the process's peak RSS at the end
// (getrusage). --no-mmap loads the weights into allocated memory as
// llama-cli --no-mmap does (the RSS comparison of docs/PERFORMANCE.md).
//
// usage: llamacpp_bench --model FILE.gguf [--threads N] [--prompt 128]
//          [--decode 64] [--repeat 3] [--ctx N] [--no-mmap] [--cpu-variant best|x64|zen4|...]
// Written against llama.h / ggml-backend.h only (nothing of llama.cpp copied).
#include <dlfcn.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "llama.h"

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long max_rss_kib() {
  struct rusage usage {};
  return getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

void quiet_log(enum ggml_log_level level, const char *text, void *) {
  if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

// The prebuilt ggml loads its CPU backend dynamically, from libllama's folder.
bool load_cpu_backend(const std::string &variant) {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&llama_backend_init), &info) == 0 || info.dli_fname == nullptr) return false;
  std::string dir = info.dli_fname;
  dir = dir.substr(0, dir.rfind('/'));
  if (variant == "best") {
    ggml_backend_load_all_from_path(dir.c_str());
  } else if (ggml_backend_load((dir + "/libggml-cpu-" + variant + ".so").c_str()) == nullptr) {
    return false;
  }
  return ggml_backend_dev_count() > 0;
}

bool decode(llama_context *ctx, llama_batch &batch, const std::vector<llama_token> &tokens, int32_t first_pos) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    batch.token[i] = tokens[i];
    batch.pos[i] = first_pos + static_cast<int32_t>(i);
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = i + 1 == tokens.size() ? 1 : 0;
  }
  batch.n_tokens = static_cast<int32_t>(tokens.size());
  return llama_decode(ctx, batch) == 0;
}

}  // namespace

int main(int argc, char **argv) {
  std::string model_path, variant = "best";
  int threads = 1, n_prompt = 128, n_decode = 64, repeats = 3, n_ctx = 0;
  bool use_mmap = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-mmap") {  // read the weights into allocated buffers, like llama-cli --no-mmap
      use_mmap = false;
      continue;
    }
    const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (v == nullptr) {
      std::fprintf(stderr, "llamacpp_bench: %s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "--model") model_path = v;
    else if (a == "--threads") threads = std::atoi(v);
    else if (a == "--prompt") n_prompt = std::atoi(v);
    else if (a == "--decode") n_decode = std::atoi(v);
    else if (a == "--repeat") repeats = std::atoi(v);
    else if (a == "--ctx") n_ctx = std::atoi(v);
    else if (a == "--cpu-variant") variant = v;
    else {
      std::fprintf(stderr, "llamacpp_bench: unknown option %s\n", a.c_str());
      return 2;
    }
    ++i;
  }
  if (model_path.empty() || threads < 1 || n_prompt < 1 || n_decode < 1 || repeats < 1) {
    std::fprintf(stderr, "usage: llamacpp_bench --model FILE.gguf [--threads N] [--prompt N] [--decode N] [--repeat N] "
                         "[--ctx N] [--no-mmap] [--cpu-variant NAME]\n");
    return 2;
  }
  llama_log_set(quiet_log, nullptr);
  if (!load_cpu_backend(variant)) {
    std::fprintf(stderr, "llamacpp_bench: cannot load the ggml CPU backend '%s'\n", variant.c_str());
    return 1;
  }
  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  mp.load_mode = use_mmap ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
  llama_model *model = llama_model_load_from_file(model_path.c_str(), mp);
  if (model == nullptr) {
    std::fprintf(stderr, "llamacpp_bench: cannot load %s\n", model_path.c_str());
    return 1;
  }
  const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(n_ctx > 0 ? n_ctx : n_prompt + n_decode + 16);
  cp.n_batch = static_cast<uint32_t>(n_prompt);
  cp.n_ubatch = static_cast<uint32_t>(n_prompt);
  cp.n_seq_max = 1;
  cp.n_threads = threads;
  cp.n_threads_batch = threads;
  llama_context *ctx = llama_init_from_model(model, cp);
  if (ctx == nullptr) {
    std::fprintf(stderr, "llamacpp_bench: cannot create a context\n");
    return 1;
  }
  std::vector<llama_token> prompt(static_cast<size_t>(n_prompt));
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<llama_token>(3 + (i * 7919) % (n_vocab - 3));
  llama_batch batch = llama_batch_init(n_prompt, 0, 1);
  std::vector<double> prefill_s, decode_s;
  for (int r = -1; r < repeats; ++r) {  // r = -1: warm-up
    llama_memory_clear(llama_get_memory(ctx), true);
    double t0 = now_s();
    if (!decode(ctx, batch, prompt, 0)) {
      std::fprintf(stderr, "llamacpp_bench: prefill failed\n");
      return 1;
    }
    const double prefill = now_s() - t0;
    t0 = now_s();
    for (int i = 0; i < n_decode; ++i) {
      const std::vector<llama_token> one{static_cast<llama_token>(3 + (static_cast<int64_t>(i) * 104729) % (n_vocab - 3))};
      if (!decode(ctx, batch, one, n_prompt + i)) {
        std::fprintf(stderr, "llamacpp_bench: decode failed at %d\n", i);
        return 1;
      }
    }
    const double dec = now_s() - t0;
    if (r >= 0) {
      prefill_s.push_back(prefill);
      decode_s.push_back(dec);
    }
  }
  std::printf("{\"runtime\": \"llama.cpp\", \"model\": \"%s\", \"threads\": %d, \"prefill_tokens_per_s\": %.3f, "
              "\"decode_tokens_per_s\": %.3f, \"n_ctx\": %u, \"mmap\": %s, \"max_rss_kib\": %ld}\n",
              model_path.c_str(), threads, n_prompt / median(prefill_s), n_decode / median(decode_s), cp.n_ctx,
              use_mmap ? "true" : "false", max_rss_kib());
  llama_batch_free(batch);
  llama_free(ctx);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
