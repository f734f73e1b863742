// `ballast generate -m MODEL -p TEXT -n N`: generates text through the
// StreamingLLM cache, printing tokens as they come. `-n -1` runs forever (the
// cache evicts, memory stays fixed); Ctrl-C stops cleanly with the stats line.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "models/tokenizer/stream_detokenizer.h"
#include "platform/monotonic_clock.h"
#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/session_options.h"
#include "tools/cli/session_report.h"

namespace ballast::cli {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;
void request_stop(int) { g_stop_requested = 1; }

int fail(const char *what, const Status &status) {
  std::fprintf(stderr, "ballast generate: %s%s\n", what, status.to_string().c_str());
  return 1;
}

}  // namespace

int run_generate(int argc, char **argv) {
  std::string model_path, prompt;
  int64_t n_predict = 128;
  int64_t progress_every = 0;
  bool ignore_eos = false, no_echo = false;
  SessionOptions options;
  ArgParser parser("generate", "Generate text from a prompt through the sink + window KV cache.\n"
                               "With -n -1 it runs forever in fixed memory; Ctrl-C stops it cleanly.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required)");
  parser.add_string("--prompt", "-p", &prompt, "prompt text (may be empty: generation starts from BOS)");
  parser.add_int("--n-predict", "-n", &n_predict, -1, INT64_MAX, "tokens to generate; -1 = endless");
  parser.add_flag("--ignore-eos", &ignore_eos, "keep generating past end-of-sequence tokens (implied by -n -1)");
  parser.add_flag("--no-echo", &no_echo, "do not print the prompt before the generated text");
  parser.add_int("--progress-every", "", &progress_every, 0, INT64_MAX,
                 "print a progress line (tokens, tok/s, RSS, evictions) on stderr every N tokens; 0 = off");
  options.declare_cache(parser);
  options.declare_sampling(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty()) {
    std::fprintf(stderr, "ballast generate: --model is required\n\n%s", parser.help().c_str());
    return 2;
  }
  Result<SessionParams> params = options.to_params();
  if (!params.is_ok()) {
    std::fprintf(stderr, "ballast generate: %s\n", params.status().message().c_str());
    return 2;
  }

  const int64_t load_start = monotonic_now_ns();
  Result<std::unique_ptr<Model>> model = load_model(model_path);
  if (!model.is_ok()) return fail("", model.status());
  const int64_t load_ns = monotonic_now_ns() - load_start;
  const Tokenizer &tokenizer = model.value()->tokenizer;

  std::vector<int32_t> ids;
  Status encoded = tokenizer.encode(prompt, true, true, &ids);
  if (!encoded.is_ok()) return fail("prompt: ", encoded);
  if (ids.empty()) {
    if (tokenizer.bos_id() < 0) {
      std::fprintf(stderr, "ballast generate: the prompt is empty and the model has no BOS token to start from\n");
      return 2;
    }
    ids.push_back(tokenizer.bos_id());
  }

  Result<std::unique_ptr<Session>> session = Session::create(*model.value(), params.value());
  if (!session.is_ok()) return fail("session: ", session.status());
  Session &s = *session.value();

  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  if (!no_echo) {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
  }
  Status fed = s.feed(ids.data(), ids.size());
  if (!fed.is_ok()) return fail("prompt: ", fed);

  StreamDetokenizer detokenizer(tokenizer);
  std::vector<char> piece(detokenizer.max_output_bytes());  // sized once, before the loop
  const bool endless = n_predict < 0;
  const Stopwatch clock;
  uint64_t generated = 0;
  int exit_code = 0;
  while (!g_stop_requested && (endless || generated < static_cast<uint64_t>(n_predict))) {
    const int32_t token = s.sample();
    ++generated;
    size_t written = 0;
    if (detokenizer.push(token, piece.data(), piece.size(), &written).is_ok() && written > 0) {
      std::fwrite(piece.data(), 1, written, stdout);
      std::fflush(stdout);
    }
    const bool end_of_text = token == tokenizer.eos_id() || token == tokenizer.eot_id();
    if (end_of_text && !endless && !ignore_eos) break;
    Status step = s.feed(&token, 1);
    if (!step.is_ok()) {
      std::fprintf(stderr, "\nballast generate: %s\n", step.to_string().c_str());
      exit_code = 1;
      break;
    }
    if (progress_every > 0 && generated % static_cast<uint64_t>(progress_every) == 0) {
      print_progress_line(s, generated, clock.elapsed_seconds());
    }
  }
  size_t written = 0;
  if (detokenizer.flush(piece.data(), piece.size(), &written).is_ok() && written > 0) {
    std::fwrite(piece.data(), 1, written, stdout);
  }
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (g_stop_requested) std::fprintf(stderr, "\nballast generate: stopped by signal after %llu tokens\n",
                                     static_cast<unsigned long long>(generated));
  print_session_stats(s, load_ns);
  return exit_code;
}

}  // namespace ballast::cli
