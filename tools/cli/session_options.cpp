#include "tools/cli/session_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace ballast::cli {

void SessionOptions::declare_cache(ArgParser &parser) {
  parser.add_int("--sinks", "", &sinks, -1, 64, "attention-sink KV slots (-1 = the model's declared sink slots, else 4)");
  parser.add_int("--window", "", &window, 1, 1 << 24, "rolling-window KV slots (excluding sinks)");
  parser.add_string("--mode", "", &mode, "cache mode: sink | window (no sinks) | dense (no eviction) | recompute");
  parser.add_int("--threads", "-t", &threads, 1, 256, "worker threads");
  parser.add_int("--batch", "", &batch, 1, 4096, "max tokens per prefill chunk");
  parser.add_string("--kv-type", "", &kv_type, "KV cache element type: f16 or f32");
  parser.add_flag("--mlock", &lock_memory, "lock the arena in RAM (needs RLIMIT_MEMLOCK)");
  parser.add_string("--prefill-backend", "", &prefill_backend,
                    "prefill matmuls: auto (measured policy) | native | onednn | xnnpack (BALLAST_PREFILL overrides)");
}

void SessionOptions::declare_sampling(ArgParser &parser) {
  parser.add_string("--temp", "", &temperature, "temperature; 0 = greedy");
  parser.add_int("--top-k", "", &top_k, 0, 1 << 30, "keep the k most likely tokens; 0 = off");
  parser.add_string("--top-p", "", &top_p, "nucleus sampling threshold; 1 = off");
  parser.add_string("--min-p", "", &min_p, "drop tokens below min-p x the top probability; 0 = off");
  parser.add_string("--repeat-penalty", "", &repeat_penalty, "penalty for recent tokens; 1 = off");
  parser.add_int("--repeat-last-n", "", &repeat_last_n, -1, 1 << 30, "tokens the penalty looks back over (-1 = all cached)");
  parser.add_int("--seed", "-s", &seed, 0, INT64_MAX, "random seed");
}

Result<float> parse_float_option(const char *name, const std::string &text, float min, float max) {
  errno = 0;
  char *end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value)) {
    return make_status(StatusCode::invalid_argument, "option '%s' expects a number, got '%s'", name, text.c_str());
  }
  if (value < min || value > max) {
    return make_status(StatusCode::invalid_argument, "option '%s' = %g is outside [%g, %g]", name, value, min, max);
  }
  return static_cast<float>(value);
}

Result<SessionParams> SessionOptions::to_params() const {
  SessionParams p;
  p.sinks = static_cast<int32_t>(sinks);
  p.window = static_cast<uint32_t>(window);
  p.threads = static_cast<uint32_t>(threads);
  p.batch = static_cast<uint32_t>(batch);
  p.lock_memory = lock_memory;
  BALLAST_ASSIGN_OR_RETURN(p.kv_type, parse_kv_type(kv_type));
  BALLAST_ASSIGN_OR_RETURN(p.mode, parse_kv_cache_mode(mode));
  BALLAST_ASSIGN_OR_RETURN(p.prefill_backend, parse_prefill_backend_choice(prefill_backend));
  BALLAST_ASSIGN_OR_RETURN(p.sampling.temperature, parse_float_option("--temp", temperature, 0.0f, 100.0f));
  BALLAST_ASSIGN_OR_RETURN(p.sampling.top_p, parse_float_option("--top-p", top_p, 0.0f, 1.0f));
  BALLAST_ASSIGN_OR_RETURN(p.sampling.min_p, parse_float_option("--min-p", min_p, 0.0f, 1.0f));
  BALLAST_ASSIGN_OR_RETURN(p.sampling.repeat_penalty, parse_float_option("--repeat-penalty", repeat_penalty, 0.01f, 100.0f));
  p.sampling.top_k = static_cast<int32_t>(top_k);
  p.sampling.repeat_last_n = static_cast<int32_t>(repeat_last_n);
  p.sampling.seed = static_cast<uint64_t>(seed);
  return p;
}

}  // namespace ballast::cli
