// `ballast bench -m MODEL`: prefill and decode speed at 1..N threads, the
// weight bandwidth decode achieves (matmul weight bytes read per token /
// time per token) next to a built-in memory-read bandwidth probe, and a
// per-op breakdown of decode time. --json for scripts.
//
// Each configuration: one session; per repeat the cache is reset, a prompt
// of -p tokens is fed as one prefill chunk (timed), then -n tokens are
// decoded one at a time (timed; fixed token ids, no sampling, as llama-bench
// does). Medians over the repeats are reported.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "kernels/quant/tensor_type.h"
#include "platform/cpu_features.h"
#include "platform/monotonic_clock.h"
#include "runtime/engine/forward_profile.h"
#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "runtime/threading/thread_pool.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/session_options.h"

namespace ballast::cli {
namespace {

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

uint64_t weight_bytes(const WeightView &w) { return w.present() ? w.rows * w.row_bytes : 0; }

// Bytes of matmul weights one decoded token reads (every projection + output).
uint64_t matmul_weight_bytes_per_token(const Model &model) {
  uint64_t total = weight_bytes(model.weights.output);
  for (const LayerWeights &l : model.weights.layers) {
    total += weight_bytes(l.wq) + weight_bytes(l.wk) + weight_bytes(l.wv) + weight_bytes(l.wo) +
             weight_bytes(l.ffn_gate) + weight_bytes(l.ffn_up) + weight_bytes(l.ffn_down);
  }
  return total;
}

// Read bandwidth of `threads` threads summing disjoint slices of a 256 MiB
// buffer (bytes/s, best of 5 passes).
double probe_read_bandwidth(uint32_t threads) {
  const size_t words = (size_t{256} << 20) / sizeof(uint64_t);
  std::vector<uint64_t> buffer(words);
  for (size_t i = 0; i < words; ++i) buffer[i] = i;
  auto pool = ThreadPool::create(threads);
  if (!pool.is_ok()) return 0.0;
  std::vector<uint64_t> sums(threads, 0);
  double best = 0.0;
  for (int pass = 0; pass < 5; ++pass) {
    auto task = [&](uint32_t t) {
      const size_t begin = words / threads * t, end = t + 1 == threads ? words : words / threads * (t + 1);
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      size_t i = begin;
      for (; i + 4 <= end; i += 4) {
        s0 += buffer[i];
        s1 += buffer[i + 1];
        s2 += buffer[i + 2];
        s3 += buffer[i + 3];
      }
      for (; i < end; ++i) s0 += buffer[i];
      sums[t] += s0 + s1 + s2 + s3;
    };
    const int64_t start = monotonic_now_ns();
    pool.value()->run(threads, task);
    const double seconds = static_cast<double>(monotonic_now_ns() - start) * 1e-9;
    best = std::max(best, static_cast<double>(words * sizeof(uint64_t)) / seconds);
  }
  uint64_t all = 0;
  for (uint64_t s : sums) all += s;
  if (all == 1) std::printf(" ");  // keeps the sums observable
  return best;
}

struct ThreadResult {
  uint32_t threads = 0;
  double prefill_tokens_per_s = 0, decode_tokens_per_s = 0;
  double decode_ms_per_token = 0;
  double weight_bandwidth = 0;  // bytes/s
  double probe_bandwidth = 0;   // bytes/s
  ForwardProfile profile;       // summed over all decode repeats
  double decode_seconds_total = 0;
  std::string prefill_routes;   // which implementation ran each prefill projection
};

Result<ThreadResult> bench_threads(const Model &model, SessionParams params, uint32_t threads, int64_t n_prompt,
                                   int64_t n_decode, int64_t repeats, bool probe) {
  params.threads = threads;
  params.batch = static_cast<uint32_t>(std::max<int64_t>(n_prompt, 1));
  BALLAST_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::create(model, params));
  const uint32_t n_vocab = model.config.n_vocab;
  std::vector<int32_t> prompt(static_cast<size_t>(std::max<int64_t>(n_prompt, 1)));
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>(3 + (i * 7919) % (n_vocab - 3));
  ThreadResult result;
  result.threads = threads;
  result.prefill_routes = session->prefill_routes();
  std::vector<double> prefill_s, decode_s;
  for (int64_t r = -1; r < repeats; ++r) {  // r = -1: warm-up, not counted
    session->reset();
    int64_t start = monotonic_now_ns();
    if (n_prompt > 0) BALLAST_RETURN_IF_ERROR(session->feed(prompt.data(), prompt.size()));
    const double prefill = static_cast<double>(monotonic_now_ns() - start) * 1e-9;
    ForwardProfile profile;
    session->set_forward_profile(&profile);
    start = monotonic_now_ns();
    for (int64_t i = 0; i < n_decode; ++i) {
      const int32_t token = static_cast<int32_t>(3 + (i * 104729) % (n_vocab - 3));
      BALLAST_RETURN_IF_ERROR(session->feed(&token, 1));
    }
    const double decode = static_cast<double>(monotonic_now_ns() - start) * 1e-9;
    session->set_forward_profile(nullptr);
    if (r < 0) continue;
    prefill_s.push_back(prefill);
    decode_s.push_back(decode);
    for (int op = 0; op < kForwardOpCount; ++op) {
      result.profile.ns[op] += profile.ns[op];
      result.profile.calls[op] += profile.calls[op];
    }
    result.decode_seconds_total += decode;
  }
  if (n_prompt > 0) result.prefill_tokens_per_s = static_cast<double>(n_prompt) / median(prefill_s);
  if (n_decode > 0) {
    const double per_token = median(decode_s) / static_cast<double>(n_decode);
    result.decode_tokens_per_s = 1.0 / per_token;
    result.decode_ms_per_token = per_token * 1e3;
    result.weight_bandwidth = static_cast<double>(matmul_weight_bytes_per_token(model)) / per_token;
  }
  if (probe) result.probe_bandwidth = probe_read_bandwidth(threads);
  return result;
}

std::string matmul_types(const Model &model) {
  std::string out;
  auto add = [&](const WeightView &w) {
    const std::string name = tensor_type_info(w.type)->name;
    if (out.find(name) == std::string::npos) out += (out.empty() ? "" : "+") + name;
  };
  for (const LayerWeights &l : model.weights.layers) {
    add(l.wq);
    add(l.ffn_down);
  }
  add(model.weights.output);
  return out;
}

}  // namespace

int run_bench(int argc, char **argv) {
  std::string model_path;
  SessionOptions options;
  int64_t n_prompt = 128, n_decode = 64, repeats = 3;
  bool json = false, no_probe = false, single = false;
  options.window = 2044;
  ArgParser parser("bench", "Prefill and decode speed at 1..N threads (-t N), achieved weight bandwidth next to\n"
                            "a memory-bandwidth probe, and a per-op breakdown of decode time.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required)");
  parser.add_int("--prompt", "-p", &n_prompt, 0, 4096, "prefill tokens, fed as one chunk");
  parser.add_int("--decode", "-n", &n_decode, 0, 1 << 20, "decoded tokens per repeat");
  parser.add_int("--repeat", "-r", &repeats, 1, 1000, "repeats per thread count; medians reported");
  parser.add_flag("--json", &json, "print one JSON object instead of the table");
  parser.add_flag("--no-probe", &no_probe, "skip the memory-bandwidth probe");
  parser.add_flag("--single", &single, "run only the -t thread count (not 1..N)");
  options.declare_cache(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty()) {
    std::fprintf(stderr, "ballast bench: --model is required\n\n%s", parser.help().c_str());
    return 2;
  }
  Result<SessionParams> params = options.to_params();
  if (!params.is_ok()) {
    std::fprintf(stderr, "ballast bench: %s\n", params.status().message().c_str());
    return 2;
  }
  const uint32_t max_threads = params.value().threads;
  Result<std::unique_ptr<Model>> model = load_model(model_path);
  if (!model.is_ok()) {
    std::fprintf(stderr, "ballast bench: %s\n", model.status().to_string().c_str());
    return 1;
  }
  Result<const KernelTable *> table = host_kernel_table();
  if (!table.is_ok()) {
    std::fprintf(stderr, "ballast bench: %s\n", table.status().to_string().c_str());
    return 1;
  }
  const Model &m = *model.value();
  const uint64_t bytes_per_token = matmul_weight_bytes_per_token(m);
  std::vector<ThreadResult> results;
  for (uint32_t t = single ? max_threads : 1; t <= max_threads; ++t) {
    Result<ThreadResult> r = bench_threads(m, params.value(), t, n_prompt, n_decode, repeats, !no_probe);
    if (!r.is_ok()) {
      std::fprintf(stderr, "ballast bench: %s\n", r.status().to_string().c_str());
      return 1;
    }
    results.push_back(r.value());
  }
  const char *variant = table.value()->matmul_variant_name(m.weights.layers.empty() ? TensorType::f32
                                                                                      : m.weights.layers[0].wq.type);
  if (json) {
    std::printf("{\"model\": \"%s\", \"matmul_types\": \"%s\", \"matmul_variant\": \"%s\", \"isa\": \"%s\", "
                "\"prompt_tokens\": %" PRId64 ", \"decode_tokens\": %" PRId64 ", \"repeats\": %" PRId64
                ", \"window\": %u, \"weight_bytes_per_token\": %" PRIu64 ", \"results\": [",
                model_path.c_str(), matmul_types(m).c_str(), variant, isa_level_name(table.value()->level), n_prompt,
                n_decode, repeats, params.value().window, bytes_per_token);
    for (size_t i = 0; i < results.size(); ++i) {
      const ThreadResult &r = results[i];
      std::printf("%s{\"threads\": %u, \"prefill_routes\": \"%s\", \"prefill_tokens_per_s\": %.3f, \"decode_tokens_per_s\": %.3f, "
                  "\"decode_ms_per_token\": %.4f, \"weight_bandwidth_gb_s\": %.3f, \"probe_bandwidth_gb_s\": %.3f, "
                  "\"decode_op_ms_per_token\": {",
                  i ? ", " : "", r.threads, r.prefill_routes.c_str(), r.prefill_tokens_per_s, r.decode_tokens_per_s, r.decode_ms_per_token,
                  r.weight_bandwidth * 1e-9, r.probe_bandwidth * 1e-9);
      const double tokens = static_cast<double>(n_decode * repeats);
      int64_t accounted = 0;
      for (int op = 0; op < kForwardOpCount; ++op) {
        std::printf("\"%s\": %.4f, ", forward_op_name(static_cast<ForwardOp>(op)),
                    tokens > 0 ? static_cast<double>(r.profile.ns[op]) * 1e-6 / tokens : 0.0);
        accounted += r.profile.ns[op];
      }
      std::printf("\"other\": %.4f}}",
                  tokens > 0 ? (r.decode_seconds_total * 1e9 - static_cast<double>(accounted)) * 1e-6 / tokens : 0.0);
    }
    std::printf("]}\n");
    return 0;
  }
  std::printf("model %s: %s matmuls (%s kernels, ISA level %s), %.1f MiB of matmul weights per token\n",
              model_path.c_str(), matmul_types(m).c_str(), variant, isa_level_name(table.value()->level),
              static_cast<double>(bytes_per_token) / (1 << 20));
  std::printf("prefill %" PRId64 " tokens, decode %" PRId64 " tokens, median of %" PRId64 " repeats, window %u\n\n",
              n_prompt, n_decode, repeats, params.value().window);
  if (!results.empty()) std::printf("prefill projections: %s\n\n", results.front().prefill_routes.c_str());
  std::printf("threads  prefill tok/s  decode tok/s  ms/token  weight GB/s  probe GB/s  of probe\n");
  for (const ThreadResult &r : results) {
    std::printf("%7u  %13.2f  %12.2f  %8.3f  %11.2f  %10.2f  %7.0f%%\n", r.threads, r.prefill_tokens_per_s,
                r.decode_tokens_per_s, r.decode_ms_per_token, r.weight_bandwidth * 1e-9, r.probe_bandwidth * 1e-9,
                r.probe_bandwidth > 0 ? 100.0 * r.weight_bandwidth / r.probe_bandwidth : 0.0);
  }
  std::printf("\ndecode time per token by op (ms, %% of decode):\n");
  for (const ThreadResult &r : results) {
    const double tokens = static_cast<double>(n_decode * repeats);
    if (tokens <= 0) break;
    const double total_ms = r.decode_seconds_total * 1e3 / tokens;
    std::printf("  %u thread%s:", r.threads, r.threads == 1 ? " " : "s");
    double accounted = 0;
    for (int op = 0; op < kForwardOpCount; ++op) {
      const double ms = static_cast<double>(r.profile.ns[op]) * 1e-6 / tokens;
      accounted += ms;
      std::printf(" %s %.3f (%.0f%%)", forward_op_name(static_cast<ForwardOp>(op)), ms, 100.0 * ms / total_ms);
    }
    std::printf(" other %.3f (%.0f%%)\n", total_ms - accounted, 100.0 * (total_ms - accounted) / total_ms);
  }
  return 0;
}

}  // namespace ballast::cli
