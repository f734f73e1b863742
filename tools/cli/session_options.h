// Options shared by every subcommand that runs a session (`generate`,
// `logits`, later `perplexity` and `stream`): cache shape, mode, threads,
// sampling. One definition, one help text.
#pragma once

#include <string>

#include "runtime/engine/session.h"
#include "tools/cli/arg_parser.h"

namespace ballast::cli {

struct SessionOptions {
  int64_t sinks = -1;
  int64_t window = 2044;
  int64_t threads = 1;
  int64_t batch = 64;
  std::string kv_type = "f16";
  std::string mode = "sink";
  bool lock_memory = false;
  std::string prefill_backend = "auto";
  // Sampling (llama.cpp's defaults and meanings).
  std::string temperature = "0.8";
  int64_t top_k = 40;
  std::string top_p = "0.95";
  std::string min_p = "0.05";
  std::string repeat_penalty = "1.0";
  int64_t repeat_last_n = 64;
  int64_t seed = 0x5eed;

  void declare_cache(ArgParser &parser);
  void declare_sampling(ArgParser &parser);
  Result<SessionParams> to_params() const;
};

// "0.95" -> 0.95f with range checks; errors name the option.
Result<float> parse_float_option(const char *name, const std::string &text, float min, float max);

}  // namespace ballast::cli
