// `ballast attention -m MODEL -f TEXT`: where each layer's and head's
// attention goes — the sink slots, the middle of the window, the most recent
// tokens, and slot 0 alone — averaged over the last N decoded tokens of the
// text streamed through the cache. The cheap way to see whether a model
// relies on sinks and how position-biased it is (runtime/eval/attention_shares.h).
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "runtime/eval/attention_shares.h"
#include "runtime/eval/perplexity_csv.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/session_options.h"

namespace ballast::cli {
namespace {

int fail(const std::string &what, const Status &status) {
  std::fprintf(stderr, "ballast attention: %s%s\n", what.c_str(), status.to_string().c_str());
  return 1;
}

}  // namespace

int run_attention(int argc, char **argv) {
  std::string model_path, text_path;
  int64_t last_tokens = 256, recent = 16, max_tokens = 0;
  SessionOptions options;
  options.window = 508;
  ArgParser parser("attention",
                   "Share of attention per layer and head on the sink slots, the middle of the window, the\n"
                   "most recent tokens and slot 0, averaged over the last --tokens tokens of the text\n"
                   "decoded through the cache.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required)");
  parser.add_string("--file", "-f", &text_path, "text file to stream (required)");
  parser.add_int("--tokens", "", &last_tokens, 1, INT64_MAX, "average over the last N tokens of the stream");
  parser.add_int("--recent", "", &recent, 0, 1 << 24, "tokens counted as 'recent' (the query's own included)");
  parser.add_int("--max-tokens", "", &max_tokens, 0, INT64_MAX, "stream at most N tokens of the text; 0 = all");
  options.declare_cache(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty() || text_path.empty()) {
    std::fprintf(stderr, "ballast attention: --model and --file are required\n\n%s", parser.help().c_str());
    return 2;
  }
  Result<SessionParams> params = options.to_params();
  if (!params.is_ok()) {
    std::fprintf(stderr, "ballast attention: %s\n", params.status().message().c_str());
    return 2;
  }
  Result<std::string> text = read_text_file(text_path);
  if (!text.is_ok()) return fail("", text.status());
  Result<std::unique_ptr<Model>> model = load_model(model_path);
  if (!model.is_ok()) return fail("", model.status());
  std::vector<int32_t> ids;
  Status encoded = model.value()->tokenizer.encode(text.value(), true, false, &ids);
  if (!encoded.is_ok()) return fail(text_path + ": ", encoded);
  if (max_tokens > 0 && ids.size() > static_cast<uint64_t>(max_tokens)) ids.resize(static_cast<size_t>(max_tokens));
  if (ids.empty()) {
    std::fprintf(stderr, "ballast attention: %s has no tokens\n", text_path.c_str());
    return 1;
  }

  Result<std::unique_ptr<Session>> session = Session::create(*model.value(), params.value());
  if (!session.is_ok()) return fail("session: ", session.status());
  Session &s = *session.value();
  const ModelConfig &config = model.value()->config;
  const uint32_t sinks = s.sink_slots();
  const uint32_t capacity = s.cache().capacity();
  AttentionShares shares(config, sinks, static_cast<uint32_t>(recent), capacity);
  shares.set_enabled(false);
  s.set_attention_observer(&shares);

  const size_t measured = std::min<size_t>(ids.size(), static_cast<size_t>(last_tokens));
  const size_t unmeasured = ids.size() - measured;
  // Everything before the measured tail goes through in chunks (same result as
  // token-by-token decode), the tail one token at a time with the observer on.
  if (unmeasured > 0) {
    Status fed = s.feed(ids.data(), unmeasured);
    if (!fed.is_ok()) return fail("", fed);
  }
  shares.set_enabled(true);
  for (size_t i = unmeasured; i < ids.size(); ++i) {
    Status fed = s.feed(&ids[i], 1);
    if (!fed.is_ok()) return fail("", fed);
  }
  s.set_attention_observer(nullptr);
  if (!shares.status().is_ok()) return fail("", shares.status());

  std::printf("model: %s\n", model_path.c_str());
  std::printf("cache: %s, %u sinks + %u window; text %zu tokens, averaged over the last %zu; recent = last %lld slots\n",
              options.mode.c_str(), sinks, capacity - sinks, ids.size(), measured, static_cast<long long>(recent));
  std::printf("%5s %5s %8s %8s %8s %8s\n", "layer", "head", "sinks%", "middle%", "recent%", "slot0%");
  for (uint32_t l = 0; l < shares.layers(); ++l) {
    HeadShares mean;
    for (uint32_t h = 0; h < shares.heads(); ++h) {
      const HeadShares v = shares.shares(l, h);
      std::printf("%5u %5u %8.2f %8.2f %8.2f %8.2f\n", l, h, 100 * v.sinks, 100 * v.middle, 100 * v.recent,
                  100 * v.first);
      mean.sinks += v.sinks / shares.heads();
      mean.middle += v.middle / shares.heads();
      mean.recent += v.recent / shares.heads();
      mean.first += v.first / shares.heads();
    }
    std::printf("%5u %5s %8.2f %8.2f %8.2f %8.2f\n", l, "mean", 100 * mean.sinks, 100 * mean.middle,
                100 * mean.recent, 100 * mean.first);
  }
  return 0;
}

}  // namespace ballast::cli
