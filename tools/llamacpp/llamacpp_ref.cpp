// llamacpp_ref: Ballast's black-box reference harness over llama.cpp.
//
// Written by us against the public llama.h / ggml-backend.h of the llama.cpp
// build that npm's node-llama-cpp ships (see README.md). It links the prebuilt
// libllama from @node-llama-cpp/linux-x64; nothing of llama.cpp is compiled in.
//
// Subcommands:
//   version
//   tokenize --vocab FILE.gguf (--texts FILE.hex | --text STRING)
//   quantize IN.gguf OUT.gguf TYPE [--threads N]
//   logits   --model FILE.gguf --tokens 1,2,3 --out FILE.f32 [--threads N]
//   greedy   --model FILE.gguf --tokens 1,2,3 --n 32 [--margins] [--threads N]
//   tensors  FILE.gguf   (name, ggml type, bytes of every tensor, as ggml's gguf reader sees them)
// Common option (before or after the subcommand's own):
//   --cpu-variant NAME   ggml CPU backend to load: x64 (default, generic),
//                        haswell, skylakex, icelake, ... or "best" (ggml
//                        scores every variant and keeps the best one).
//   --verbose            pass llama.cpp's own log through to stderr.
//
// Errors go to stderr and give exit status 1 (2 for usage errors).
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "gguf.h"
#include "llama.h"

namespace {

// ---------------------------------------------------------------- options

struct Options {
  std::string command;
  std::vector<std::string> positional;
  std::string vocab_path;
  std::string model_path;
  std::string texts_path;
  std::string text;
  bool have_text = false;
  std::string tokens;
  std::string out_path;
  int n_generate = -1;  // greedy: tokens to generate
  bool margins = false;  // greedy: also print each step's top-2 margin
  std::string cpu_variant = "x64";
  int threads = 1;
  bool verbose = false;
};

bool g_verbose = false;

void log_callback(enum ggml_log_level level, const char *text, void * /*user_data*/) {
  if (g_verbose || level == GGML_LOG_LEVEL_ERROR) {
    std::fputs(text, stderr);
  }
}

int usage(const char *why) {
  if (why != nullptr) std::fprintf(stderr, "llamacpp_ref: %s\n", why);
  std::fputs(
      "usage: llamacpp_ref version\n"
      "       llamacpp_ref tokenize --vocab FILE.gguf (--texts FILE.hex | --text STRING)\n"
      "       llamacpp_ref quantize IN.gguf OUT.gguf TYPE [--threads N]\n"
      "       llamacpp_ref logits --model FILE.gguf --tokens 1,2,3 --out FILE.f32 [--threads N]\n"
      "       llamacpp_ref greedy --model FILE.gguf --tokens 1,2,3 --n 32 [--margins] [--threads N]\n"
      "       llamacpp_ref tensors FILE.gguf\n"
      "options: --cpu-variant x64|haswell|skylakex|...|best   --verbose\n",
      stderr);
  return 2;
}

// Returns an empty string on success, else the reason.
std::string parse_options(int argc, char **argv, Options *opts) {
  if (argc < 2) return "missing subcommand";
  opts->command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string *dst) -> bool {
      if (i + 1 >= argc) return false;
      *dst = argv[++i];
      return true;
    };
    std::string threads_text;
    std::string count_text;
    if (arg == "--vocab") {
      if (!value(&opts->vocab_path)) return "--vocab needs a value";
    } else if (arg == "--model") {
      if (!value(&opts->model_path)) return "--model needs a value";
    } else if (arg == "--texts") {
      if (!value(&opts->texts_path)) return "--texts needs a value";
    } else if (arg == "--text") {
      if (!value(&opts->text)) return "--text needs a value";
      opts->have_text = true;
    } else if (arg == "--tokens") {
      if (!value(&opts->tokens)) return "--tokens needs a value";
    } else if (arg == "--out") {
      if (!value(&opts->out_path)) return "--out needs a value";
    } else if (arg == "--n") {
      if (!value(&count_text)) return "--n needs a value";
      opts->n_generate = std::atoi(count_text.c_str());
      if (opts->n_generate < 1) return "--n must be >= 1";
    } else if (arg == "--cpu-variant") {
      if (!value(&opts->cpu_variant)) return "--cpu-variant needs a value";
    } else if (arg == "--threads") {
      if (!value(&threads_text)) return "--threads needs a value";
      opts->threads = std::atoi(threads_text.c_str());
      if (opts->threads < 1) return "--threads must be >= 1";
    } else if (arg == "--margins") {
      opts->margins = true;
    } else if (arg == "--verbose") {
      opts->verbose = true;
    } else if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      return "unknown option " + arg;
    } else {
      opts->positional.push_back(arg);
    }
  }
  return "";
}

// ---------------------------------------------------------------- backend

// Folder holding libllama (the prebuilt package's bins/<platform>/), found
// from the loaded library itself so the harness keeps working if moved.
std::string llama_library_dir() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&llama_backend_init), &info) == 0 || info.dli_fname == nullptr) return "";
  std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Loads the ggml CPU backend. The package builds ggml with dynamically
// loaded backends, so without this call llama.cpp has no device at all.
bool load_cpu_backend(const std::string &variant) {
  const std::string dir = llama_library_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "llamacpp_ref: cannot locate libllama's folder\n");
    return false;
  }
  if (variant == "best") {
    ggml_backend_load_all_from_path(dir.c_str());
  } else {
    const std::string path = dir + "/libggml-cpu-" + variant + ".so";
    if (ggml_backend_load(path.c_str()) == nullptr) {
      std::fprintf(stderr, "llamacpp_ref: cannot load CPU backend %s (does this CPU support it?)\n", path.c_str());
      return false;
    }
  }
  if (ggml_backend_dev_count() == 0) {
    std::fprintf(stderr, "llamacpp_ref: no ggml device after loading backends from %s\n", dir.c_str());
    return false;
  }
  return true;
}

void print_devices(FILE *out) {
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    ggml_backend_dev_t dev = ggml_backend_dev_get(i);
    std::fprintf(out, "device %zu: %s (%s)\n", i, ggml_backend_dev_name(dev), ggml_backend_dev_description(dev));
  }
}

// ---------------------------------------------------------------- helpers

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One text per line, hex of its UTF-8 bytes; an empty line is the empty text.
bool read_hex_texts(const std::string &path, std::vector<std::string> *texts) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "llamacpp_ref: cannot open %s\n", path.c_str());
    return false;
  }
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() % 2 != 0) {
      std::fprintf(stderr, "llamacpp_ref: %s:%zu: odd number of hex digits\n", path.c_str(), line_number);
      return false;
    }
    std::string bytes;
    for (size_t i = 0; i < line.size(); i += 2) {
      const int hi = hex_digit(line[i]);
      const int lo = hex_digit(line[i + 1]);
      if (hi < 0 || lo < 0) {
        std::fprintf(stderr, "llamacpp_ref: %s:%zu: not a hex digit at column %zu\n", path.c_str(), line_number, i + 1);
        return false;
      }
      bytes.push_back(static_cast<char>(hi * 16 + lo));
    }
    texts->push_back(bytes);
  }
  return true;
}

bool parse_token_list(const std::string &text, std::vector<llama_token> *tokens) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    char *end = nullptr;
    const long value = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value < 0 || value > INT32_MAX) {
      std::fprintf(stderr, "llamacpp_ref: bad token id '%s' in --tokens\n", item.c_str());
      return false;
    }
    tokens->push_back(static_cast<llama_token>(value));
    start = comma + 1;
  }
  return !tokens->empty();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---------------------------------------------------------------- tokenize

// Ids for `text` with add_special = true and parse_special = true (so BOS is
// added when the vocab says so and "<|endoftext|>" matches its control token).
// llama.cpp throws C++ exceptions through its C API on some inputs (invalid
// UTF-8 in BPE vocabularies: "invalid codepoint"); `error` gets the message.
bool tokenize_one_unguarded(const llama_vocab *vocab, const std::string &text, std::vector<llama_token> *ids) {
  ids->assign(text.size() + 8, 0);
  int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), ids->data(),
                             static_cast<int32_t>(ids->size()), true, true);
  if (n < 0) {  // buffer too small: -n is the count needed
    ids->assign(static_cast<size_t>(-n), 0);
    n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), ids->data(),
                       static_cast<int32_t>(ids->size()), true, true);
  }
  if (n < 0) {
    std::fprintf(stderr, "llamacpp_ref: llama_tokenize failed (%d)\n", n);
    return false;
  }
  ids->resize(static_cast<size_t>(n));
  return true;
}

bool tokenize_one(const llama_vocab *vocab, const std::string &text, std::vector<llama_token> *ids, std::string *error) {
  try {
    return tokenize_one_unguarded(vocab, text, ids);
  } catch (const std::exception &e) {
    *error = e.what();
  } catch (...) {
    *error = "unknown exception";
  }
  return false;
}

int run_tokenize(const Options &opts) {
  if (opts.vocab_path.empty()) return usage("tokenize needs --vocab");
  if (opts.texts_path.empty() == !opts.have_text) return usage("tokenize needs exactly one of --texts, --text");
  std::vector<std::string> texts;
  if (opts.have_text) {
    texts.push_back(opts.text);
  } else if (!read_hex_texts(opts.texts_path, &texts)) {
    return 1;
  }

  llama_model_params params = llama_model_default_params();
  params.vocab_only = true;
  llama_model *model = llama_model_load_from_file(opts.vocab_path.c_str(), params);
  if (model == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: llama.cpp could not load vocab %s (rerun with --verbose)\n",
                 opts.vocab_path.c_str());
    return 1;
  }
  const llama_vocab *vocab = llama_model_get_vocab(model);
  int status = 0;
  std::vector<llama_token> ids;
  for (const std::string &text : texts) {
    std::string error;
    if (!tokenize_one(vocab, text, &ids, &error)) {
      if (error.empty()) {
        status = 1;
        break;
      }
      // The line records that llama.cpp rejected this text (threw).
      for (char &c : error) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      std::printf("ERROR %s\n", error.c_str());
      continue;
    }
    for (size_t i = 0; i < ids.size(); ++i) std::printf(i == 0 ? "%d" : " %d", ids[i]);
    std::printf("\n");
  }
  llama_model_free(model);
  return status;
}

// ---------------------------------------------------------------- quantize

struct QuantName {
  const char *name;
  llama_ftype ftype;
};

const QuantName kQuantNames[] = {
    {"F32", LLAMA_FTYPE_ALL_F32},       {"F16", LLAMA_FTYPE_MOSTLY_F16},       {"BF16", LLAMA_FTYPE_MOSTLY_BF16},
    {"Q4_0", LLAMA_FTYPE_MOSTLY_Q4_0},  {"Q4_1", LLAMA_FTYPE_MOSTLY_Q4_1},     {"Q5_0", LLAMA_FTYPE_MOSTLY_Q5_0},
    {"Q5_1", LLAMA_FTYPE_MOSTLY_Q5_1},  {"Q8_0", LLAMA_FTYPE_MOSTLY_Q8_0},     {"Q2_K", LLAMA_FTYPE_MOSTLY_Q2_K},
    {"Q3_K_M", LLAMA_FTYPE_MOSTLY_Q3_K_M}, {"Q4_K_S", LLAMA_FTYPE_MOSTLY_Q4_K_S}, {"Q4_K_M", LLAMA_FTYPE_MOSTLY_Q4_K_M},
    {"Q5_K_S", LLAMA_FTYPE_MOSTLY_Q5_K_S}, {"Q5_K_M", LLAMA_FTYPE_MOSTLY_Q5_K_M}, {"Q6_K", LLAMA_FTYPE_MOSTLY_Q6_K},
};

int run_quantize(const Options &opts) {
  if (opts.positional.size() != 3) return usage("quantize needs IN.gguf OUT.gguf TYPE");
  const std::string &type_name = opts.positional[2];
  const QuantName *found = nullptr;
  for (const QuantName &q : kQuantNames) {
    if (type_name == q.name) found = &q;
  }
  if (found == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: unknown quant type %s; known:", type_name.c_str());
    for (const QuantName &q : kQuantNames) std::fprintf(stderr, " %s", q.name);
    std::fprintf(stderr, "\n");
    return 2;
  }
  llama_model_quantize_params params = llama_model_quantize_default_params();
  params.ftype = found->ftype;
  params.nthread = opts.threads;
  const auto start = std::chrono::steady_clock::now();
  const uint32_t rc = llama_model_quantize(opts.positional[0].c_str(), opts.positional[1].c_str(), &params);
  if (rc != 0) {
    std::fprintf(stderr, "llamacpp_ref: llama_model_quantize failed (%u); rerun with --verbose\n", rc);
    return 1;
  }
  std::fprintf(stderr, "quantized %s -> %s as %s in %.2f s\n", opts.positional[0].c_str(),
               opts.positional[1].c_str(), found->name, seconds_since(start));
  return 0;
}

// ---------------------------------------------------------------- logits

// Writes raw little-endian float32 logits [n_tokens][n_vocab]: one decode of
// all tokens as one sequence at positions 0..n-1, f32 K/V cache, no flash
// attention, logits requested for every position.
int run_logits(const Options &opts) {
  if (opts.model_path.empty() || opts.tokens.empty() || opts.out_path.empty()) {
    return usage("logits needs --model, --tokens and --out");
  }
  std::vector<llama_token> tokens;
  if (!parse_token_list(opts.tokens, &tokens)) return 2;
  const int32_t n_tokens = static_cast<int32_t>(tokens.size());

  llama_model_params model_params = llama_model_default_params();
  model_params.n_gpu_layers = 0;
  llama_model *model = llama_model_load_from_file(opts.model_path.c_str(), model_params);
  if (model == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: llama.cpp could not load %s (rerun with --verbose)\n", opts.model_path.c_str());
    return 1;
  }
  const llama_vocab *vocab = llama_model_get_vocab(model);
  const int32_t n_vocab = llama_vocab_n_tokens(vocab);
  for (llama_token t : tokens) {
    if (t >= n_vocab) {
      std::fprintf(stderr, "llamacpp_ref: token %d outside the vocabulary (%d)\n", t, n_vocab);
      llama_model_free(model);
      return 2;
    }
  }

  llama_context_params ctx_params = llama_context_default_params();
  ctx_params.n_ctx = static_cast<uint32_t>(n_tokens);
  ctx_params.n_batch = static_cast<uint32_t>(n_tokens);
  ctx_params.n_ubatch = static_cast<uint32_t>(n_tokens);
  ctx_params.n_seq_max = 1;
  ctx_params.n_threads = opts.threads;
  ctx_params.n_threads_batch = opts.threads;
  ctx_params.type_k = GGML_TYPE_F32;
  ctx_params.type_v = GGML_TYPE_F32;
  ctx_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  llama_context *ctx = llama_init_from_model(model, ctx_params);
  if (ctx == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: could not create a context (rerun with --verbose)\n");
    llama_model_free(model);
    return 1;
  }

  llama_batch batch = llama_batch_init(n_tokens, 0, 1);
  for (int32_t i = 0; i < n_tokens; ++i) {
    batch.token[i] = tokens[static_cast<size_t>(i)];
    batch.pos[i] = i;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = 1;
  }
  batch.n_tokens = n_tokens;

  int status = 0;
  const auto start = std::chrono::steady_clock::now();
  const int32_t rc = llama_decode(ctx, batch);
  const double decode_seconds = seconds_since(start);
  if (rc != 0) {
    std::fprintf(stderr, "llamacpp_ref: llama_decode failed (%d)\n", rc);
    status = 1;
  }
  if (status == 0) {
    FILE *out = std::fopen(opts.out_path.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "llamacpp_ref: cannot write %s\n", opts.out_path.c_str());
      status = 1;
    } else {
      for (int32_t i = 0; i < n_tokens && status == 0; ++i) {
        const float *row = llama_get_logits_ith(ctx, i);  // [n_vocab]
        if (row == nullptr ||
            std::fwrite(row, sizeof(float), static_cast<size_t>(n_vocab), out) != static_cast<size_t>(n_vocab)) {
          std::fprintf(stderr, "llamacpp_ref: no logits for position %d or write failed\n", i);
          status = 1;
        }
      }
      if (std::fclose(out) != 0) status = 1;
    }
  }
  if (status == 0) {
    std::fprintf(stderr, "logits [%d][%d] float32 -> %s (decode %.3f s, %d threads)\n", n_tokens, n_vocab,
                 opts.out_path.c_str(), decode_seconds, opts.threads);
  }
  llama_batch_free(batch);
  llama_free(ctx);
  llama_model_free(model);
  return status;
}

// ---------------------------------------------------------------- greedy

// Index of the largest logit; the first one on ties.
llama_token argmax(const float *row, int32_t n_vocab) {
  llama_token best = 0;
  for (int32_t i = 1; i < n_vocab; ++i) {
    if (row[i] > row[best]) best = i;
  }
  return best;
}

// How clear the argmax is: (largest - second largest logit) / max |logit|.
float top2_margin(const float *row, int32_t n_vocab, llama_token best) {
  float second = -INFINITY, max_abs = 0.0f;
  for (int32_t i = 0; i < n_vocab; ++i) {
    if (i != best && row[i] > second) second = row[i];
    max_abs = std::max(max_abs, std::fabs(row[i]));
  }
  return max_abs > 0.0f ? (row[best] - second) / max_abs : 0.0f;
}

// Prints, space-separated on one line, the --n tokens of argmax decoding
// after the prompt --tokens: the prompt is one decode (positions 0..n-1, logits
// of its last position only), then every generated token is fed back alone
// (one decode each), so the continuation runs llama.cpp's decode path. f32 K/V
// cache, no flash attention, n_ctx = prompt + n: nothing is evicted.
// --margins adds a second line: each step's top2_margin (how far from a tie
// the choice was, relative to the row's max |logit|).
int run_greedy(const Options &opts) {
  if (opts.model_path.empty() || opts.tokens.empty() || opts.n_generate < 1) {
    return usage("greedy needs --model, --tokens and --n");
  }
  std::vector<llama_token> tokens;
  if (!parse_token_list(opts.tokens, &tokens)) return 2;
  const int32_t n_prompt = static_cast<int32_t>(tokens.size());

  llama_model_params model_params = llama_model_default_params();
  model_params.n_gpu_layers = 0;
  llama_model *model = llama_model_load_from_file(opts.model_path.c_str(), model_params);
  if (model == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: llama.cpp could not load %s (rerun with --verbose)\n", opts.model_path.c_str());
    return 1;
  }
  const llama_vocab *vocab = llama_model_get_vocab(model);
  const int32_t n_vocab = llama_vocab_n_tokens(vocab);
  for (llama_token t : tokens) {
    if (t >= n_vocab) {
      std::fprintf(stderr, "llamacpp_ref: token %d outside the vocabulary (%d)\n", t, n_vocab);
      llama_model_free(model);
      return 2;
    }
  }

  llama_context_params ctx_params = llama_context_default_params();
  ctx_params.n_ctx = static_cast<uint32_t>(n_prompt + opts.n_generate);
  ctx_params.n_batch = static_cast<uint32_t>(n_prompt);
  ctx_params.n_ubatch = static_cast<uint32_t>(n_prompt);
  ctx_params.n_seq_max = 1;
  ctx_params.n_threads = opts.threads;
  ctx_params.n_threads_batch = opts.threads;
  ctx_params.type_k = GGML_TYPE_F32;
  ctx_params.type_v = GGML_TYPE_F32;
  ctx_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  llama_context *ctx = llama_init_from_model(model, ctx_params);
  if (ctx == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: could not create a context (rerun with --verbose)\n");
    llama_model_free(model);
    return 1;
  }

  llama_batch batch = llama_batch_init(n_prompt, 0, 1);
  for (int32_t i = 0; i < n_prompt; ++i) {
    batch.token[i] = tokens[static_cast<size_t>(i)];
    batch.pos[i] = i;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = i == n_prompt - 1 ? 1 : 0;
  }
  batch.n_tokens = n_prompt;

  int status = 0;
  std::vector<llama_token> generated;
  std::vector<float> step_margins;
  for (int32_t step = 0; step < opts.n_generate; ++step) {
    const int32_t rc = llama_decode(ctx, batch);
    if (rc != 0) {
      std::fprintf(stderr, "llamacpp_ref: llama_decode failed (%d) at step %d\n", rc, step);
      status = 1;
      break;
    }
    const float *row = llama_get_logits_ith(ctx, -1);  // [n_vocab] of the batch's last token
    if (row == nullptr) {
      std::fprintf(stderr, "llamacpp_ref: no logits at step %d\n", step);
      status = 1;
      break;
    }
    const llama_token next = argmax(row, n_vocab);
    generated.push_back(next);
    step_margins.push_back(top2_margin(row, n_vocab, next));
    batch.token[0] = next;
    batch.pos[0] = n_prompt + step;
    batch.n_seq_id[0] = 1;
    batch.seq_id[0][0] = 0;
    batch.logits[0] = 1;
    batch.n_tokens = 1;
  }
  if (status == 0) {
    for (size_t i = 0; i < generated.size(); ++i) std::printf(i == 0 ? "%d" : " %d", generated[i]);
    std::printf("\n");
    if (opts.margins) {
      for (size_t i = 0; i < step_margins.size(); ++i) std::printf(i == 0 ? "%.3e" : " %.3e", step_margins[i]);
      std::printf("\n");
    }
  }
  llama_batch_free(batch);
  llama_free(ctx);
  llama_model_free(model);
  return status;
}

// ---------------------------------------------------------------- tensors

int run_tensors(const Options &opts) {
  if (opts.positional.size() != 1) return usage("tensors needs FILE.gguf");
  gguf_init_params params;
  params.no_alloc = true;
  params.ctx = nullptr;
  gguf_context *file = gguf_init_from_file(opts.positional[0].c_str(), params);
  if (file == nullptr) {
    std::fprintf(stderr, "llamacpp_ref: ggml's gguf reader rejected %s\n", opts.positional[0].c_str());
    return 1;
  }
  const int64_t n_tensors = gguf_get_n_tensors(file);
  for (int64_t i = 0; i < n_tensors; ++i) {
    std::printf("%s %s %zu\n", gguf_get_tensor_name(file, i), ggml_type_name(gguf_get_tensor_type(file, i)),
                gguf_get_tensor_size(file, i));
  }
  gguf_free(file);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Options opts;
  const std::string error = parse_options(argc, argv, &opts);
  if (!error.empty()) return usage(error.c_str());
  g_verbose = opts.verbose;
  llama_log_set(log_callback, nullptr);

  if (opts.command != "version" && opts.command != "tokenize" && opts.command != "quantize" &&
      opts.command != "logits" && opts.command != "greedy" && opts.command != "tensors") {
    return usage(("unknown subcommand " + opts.command).c_str());
  }
  if (!load_cpu_backend(opts.cpu_variant)) return 1;
  llama_backend_init();

  int status = 0;
  if (opts.command == "version") {
    std::printf("llama.cpp %s\nlibrary dir %s\n", llama_version(), llama_library_dir().c_str());
    print_devices(stdout);
    std::printf("system %s\n", llama_print_system_info());
  } else if (opts.command == "tokenize") {
    status = run_tokenize(opts);
  } else if (opts.command == "quantize") {
    status = run_quantize(opts);
  } else if (opts.command == "logits") {
    status = run_logits(opts);
  } else if (opts.command == "greedy") {
    status = run_greedy(opts);
  } else {
    status = run_tensors(opts);
  }
  llama_backend_free();
  return status;
}
