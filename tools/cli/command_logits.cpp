// `ballast logits -m MODEL --tokens 1,2,3 | --text T --out FILE`: dumps raw
// little-endian float32 logits [N][n_vocab] for every position of the
// sequence, all decoded in one session (no eviction unless the sequence
// exceeds the cache). Golden tests compare these with llama.cpp's.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/session_options.h"

namespace ballast::cli {
namespace {

Result<std::vector<int32_t>> parse_token_list(const std::string &text) {
  std::vector<int32_t> ids;
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(at, comma - at);
    errno = 0;
    char *end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || errno == ERANGE || v < 0 || v > INT32_MAX) {
      return make_status(StatusCode::invalid_argument, "--tokens: '%s' is not a token id", item.c_str());
    }
    ids.push_back(static_cast<int32_t>(v));
    at = comma + 1;
  }
  return ids;
}

}  // namespace

int run_logits(int argc, char **argv) {
  std::string model_path, tokens_text, text, out_path;
  SessionOptions options;
  ArgParser parser("logits", "Write raw little-endian float32 logits [N][n_vocab] for every position of a\n"
                             "token sequence, decoded in one session (for checking against other runtimes).");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required)");
  parser.add_string("--tokens", "", &tokens_text, "comma-separated token ids, e.g. 1,15043,3186");
  parser.add_string("--text", "", &text, "or: text, tokenized with the model's tokenizer (BOS per the model)");
  parser.add_string("--out", "-o", &out_path, "output file (required)");
  options.declare_cache(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty() || out_path.empty() || parser.given("--tokens") == parser.given("--text")) {
    std::fprintf(stderr, "ballast logits: --model, --out and one of --tokens/--text are required\n\n%s",
                 parser.help().c_str());
    return 2;
  }
  Result<SessionParams> params = options.to_params();
  if (!params.is_ok()) {
    std::fprintf(stderr, "ballast logits: %s\n", params.status().message().c_str());
    return 2;
  }
  params->all_logits = true;

  Result<std::unique_ptr<Model>> model = load_model(model_path);
  if (!model.is_ok()) {
    std::fprintf(stderr, "ballast logits: %s\n", model.status().to_string().c_str());
    return 1;
  }
  std::vector<int32_t> ids;
  if (parser.given("--tokens")) {
    Result<std::vector<int32_t>> parsed = parse_token_list(tokens_text);
    if (!parsed.is_ok()) {
      std::fprintf(stderr, "ballast logits: %s\n", parsed.status().message().c_str());
      return 2;
    }
    ids = std::move(parsed).value();
  } else {
    Status s = model.value()->tokenizer.encode(text, true, true, &ids);
    if (!s.is_ok()) {
      std::fprintf(stderr, "ballast logits: %s\n", s.to_string().c_str());
      return 1;
    }
  }
  if (ids.empty()) {
    std::fprintf(stderr, "ballast logits: no tokens to evaluate\n");
    return 2;
  }
  Result<std::unique_ptr<Session>> session = Session::create(*model.value(), params.value());
  if (!session.is_ok()) {
    std::fprintf(stderr, "ballast logits: %s\n", session.status().to_string().c_str());
    return 1;
  }
  Session &s = *session.value();
  FILE *out = std::fopen((out_path + ".tmp").c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "ballast logits: cannot open '%s' for writing\n", out_path.c_str());
    return 1;
  }
  const uint32_t n_vocab = model.value()->config.n_vocab;
  const uint32_t batch = s.params().batch;
  bool ok = true;
  for (size_t done = 0; done < ids.size() && ok;) {
    const uint32_t n = static_cast<uint32_t>(ids.size() - done < batch ? ids.size() - done : batch);
    Status fed = s.feed(ids.data() + done, n);
    if (!fed.is_ok()) {
      std::fprintf(stderr, "ballast logits: %s\n", fed.to_string().c_str());
      ok = false;
      break;
    }
    ok = std::fwrite(s.logits_rows(), sizeof(float), size_t{n} * n_vocab, out) == size_t{n} * n_vocab;
    done += n;
  }
  ok = (std::fclose(out) == 0) && ok;
  if (!ok || std::rename((out_path + ".tmp").c_str(), out_path.c_str()) != 0) {
    std::remove((out_path + ".tmp").c_str());
    std::fprintf(stderr, "ballast logits: failed to write '%s'\n", out_path.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %zu x %u logits to %s (evictions: %llu)\n", ids.size(), n_vocab, out_path.c_str(),
               static_cast<unsigned long long>(s.stats().evictions));
  return 0;
}

}  // namespace ballast::cli
