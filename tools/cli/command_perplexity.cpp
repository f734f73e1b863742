// `ballast perplexity -m MODEL -f TEXT`: streaming perplexity exactly as the
// StreamingLLM paper evaluates it (runtime/eval/streaming_perplexity.h): the
// text is tokenized with the model's tokenizer and decoded one token at a time
// through the cache; the NLL of token t+1 comes from the logits after token t.
// Prints per-segment and overall figures; the last stdout line is
// `perplexity: <value>` (or one JSON object with --json). Optional CSV and SVG
// outputs; `--plot-from a.csv,b.csv --plot out.svg` overlays earlier runs.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "runtime/eval/perplexity_csv.h"
#include "runtime/eval/perplexity_plot.h"
#include "runtime/eval/streaming_perplexity.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/session_options.h"

namespace ballast::cli {
namespace {

int fail(const std::string &what, const Status &status) {
  std::fprintf(stderr, "ballast perplexity: %s%s\n", what.c_str(), status.to_string().c_str());
  return 1;
}

// "\n" "\t" "\\" escapes, so `--sink-text '\n\n\n\n'` works from a shell.
std::string unescape(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char c = text[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> split_commas(const std::string &text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) parts.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

std::string label_from_path(const std::string &path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0) name.resize(name.size() - 4);
  return name;
}

std::string json_string(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string format_duration(double seconds) {
  char buffer[32];
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lds", s);
  }
  return buffer;
}

// The progress bar: redrawn in place on a terminal, one line every ~10 s otherwise.
struct ProgressBar {
  bool tty = false;
  double last_line_seconds = -1e9;
  void draw(uint64_t done, uint64_t total, double seconds) {
    const bool finished = done == total;
    if (!tty && !finished && seconds - last_line_seconds < 10.0) return;
    last_line_seconds = seconds;
    const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    const int width = 30, filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::fprintf(stderr, "%s[%s] %5.1f%% %llu/%llu tok  %.1f tok/s  ETA %s%s", tty ? "\r" : "", bar.c_str(),
                 100.0 * fraction, static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), rate,
                 format_duration(eta).c_str(), tty && !finished ? "   " : "\n");
    std::fflush(stderr);
  }
};

// --csv output file, appended to and flushed row by row.
struct CsvFile {
  FILE *file = nullptr;
  bool ok = true;  // false once a write failed
  void append(const std::string &text) {
    if (std::fwrite(text.data(), 1, text.size(), file) != text.size() || std::fflush(file) != 0) ok = false;
  }
  ~CsvFile() {
    if (file != nullptr) std::fclose(file);
  }
};

int plot_from_csvs(const std::string &csv_list, const std::string &plot_path, const std::string &title) {
  std::vector<PlotSeries> series;
  for (const std::string &path : split_commas(csv_list)) {
    Result<std::string> text = read_text_file(path);
    if (!text.is_ok()) return fail("", text.status());
    Result<std::vector<PerplexitySegment>> segments = parse_perplexity_csv(text.value());
    if (!segments.is_ok()) return fail(path + ": ", segments.status());
    series.push_back(plot_series_from_segments(label_from_path(path), segments.value()));
  }
  Status written = write_text_file(plot_path, perplexity_svg(series, title));
  if (!written.is_ok()) return fail("", written);
  std::printf("plot: %s (%zu runs)\n", plot_path.c_str(), series.size());
  return 0;
}

}  // namespace

int run_perplexity(int argc, char **argv) {
  std::string model_path, text_path, sink_text, sink_ids, csv_path, plot_path, plot_from, label, title;
  int64_t segment = 0, max_tokens = 0, loop_to = 0;
  bool json = false, progress = false;
  SessionOptions options;
  ArgParser parser("perplexity",
                   "Streaming perplexity of a text, decoded one token at a time through the KV cache\n"
                   "(the StreamingLLM paper's evaluation). The last stdout line is 'perplexity: <value>'.\n"
                   "'--plot-from a.csv,b.csv --plot out.svg' only overlays earlier runs' CSVs.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required unless --plot-from)");
  parser.add_string("--file", "-f", &text_path, "text file to evaluate (required unless --plot-from)");
  parser.add_int("--segment", "", &segment, 0, INT64_MAX, "tokens per reported segment; 0 = one segment");
  parser.add_int("--max-tokens", "", &max_tokens, 0, INT64_MAX, "evaluate at most N tokens of the stream; 0 = all");
  parser.add_int("--loop-to", "", &loop_to, 0, INT64_MAX,
                 "repeat the text (without its BOS) until the stream has N tokens; 0 = no looping");
  parser.add_string("--sink-text", "", &sink_text,
                    "text fed first, unscored, instead of the BOS (e.g. '\\n\\n\\n\\n': newlines as sinks)");
  parser.add_string("--sink-ids", "", &sink_ids,
                    "comma-separated token ids fed first, unscored, instead of the BOS (e.g. 13,13,13,13)");
  parser.add_string("--csv", "", &csv_path, "write per-segment CSV (segment,first_token,tokens,nll,ppl,tok_per_s)");
  parser.add_string("--plot", "", &plot_path, "write an SVG plot of perplexity vs tokens");
  parser.add_string("--plot-from", "", &plot_from, "comma-separated CSV files to overlay in --plot (no evaluation)");
  parser.add_string("--label", "", &label, "legend label of this run in --plot (default: mode and cache shape)");
  parser.add_string("--title", "", &title, "plot title");
  parser.add_flag("--json", &json, "print one JSON object instead of text");
  parser.add_flag("--progress", &progress, "progress bar + ETA on stderr even when it is not a terminal");
  options.declare_cache(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (!plot_from.empty()) {
    if (plot_path.empty()) {
      std::fprintf(stderr, "ballast perplexity: --plot-from needs --plot OUT.svg\n");
      return 2;
    }
    return plot_from_csvs(plot_from, plot_path, title.empty() ? "streaming perplexity" : title);
  }
  if (model_path.empty() || text_path.empty()) {
    std::fprintf(stderr, "ballast perplexity: --model and --file are required\n\n%s", parser.help().c_str());
    return 2;
  }
  Result<SessionParams> params = options.to_params();
  if (!params.is_ok()) {
    std::fprintf(stderr, "ballast perplexity: %s\n", params.status().message().c_str());
    return 2;
  }

  Result<std::string> text = read_text_file(text_path);
  if (!text.is_ok()) return fail("", text.status());
  Result<std::unique_ptr<Model>> model = load_model(model_path);
  if (!model.is_ok()) return fail("", model.status());
  const Tokenizer &tokenizer = model.value()->tokenizer;

  std::vector<int32_t> prefix, ids;
  if (parser.given("--sink-text") && parser.given("--sink-ids")) {
    std::fprintf(stderr, "ballast perplexity: give --sink-text or --sink-ids, not both\n");
    return 2;
  }
  const bool use_sink_text = parser.given("--sink-text") || parser.given("--sink-ids");
  if (parser.given("--sink-text")) {
    Status encoded = tokenizer.encode(unescape(sink_text), false, false, &prefix);
    if (!encoded.is_ok()) return fail("--sink-text: ", encoded);
  }
  for (const std::string &id : split_commas(sink_ids)) {
    char *end = nullptr;
    const long value = std::strtol(id.c_str(), &end, 10);
    if (*end != '\0' || value < 0 || value >= static_cast<long>(model.value()->config.n_vocab)) {
      std::fprintf(stderr, "ballast perplexity: --sink-ids: '%s' is not a token id of this model\n", id.c_str());
      return 2;
    }
    prefix.push_back(static_cast<int32_t>(value));
  }
  Status encoded = tokenizer.encode(text.value(), !use_sink_text, false, &ids);
  if (!encoded.is_ok()) return fail(text_path + ": ", encoded);
  const size_t text_tokens = ids.size();
  const size_t bos_tokens = (!ids.empty() && ids[0] == tokenizer.bos_id()) ? 1 : 0;
  if (text_tokens - bos_tokens < 1 || text_tokens < 2) {
    std::fprintf(stderr, "ballast perplexity: %s has too little text (%zu tokens) to score\n", text_path.c_str(),
                 text_tokens);
    return 1;
  }
  const bool looped = loop_to > 0 && static_cast<uint64_t>(loop_to) > ids.size();
  if (looped) ids = loop_tokens(ids, static_cast<uint64_t>(loop_to), tokenizer.bos_id());
  if (max_tokens > 0 && ids.size() > static_cast<uint64_t>(max_tokens)) ids.resize(static_cast<size_t>(max_tokens));
  if (ids.size() < 2) {
    std::fprintf(stderr, "ballast perplexity: --max-tokens leaves fewer than 2 tokens\n");
    return 2;
  }

  Result<std::unique_ptr<Session>> session = Session::create(*model.value(), params.value());
  if (!session.is_ok()) return fail("session: ", session.status());
  Session &s = *session.value();
  const uint32_t sinks = s.sink_slots();
  const uint32_t window = s.cache().capacity() - sinks;
  char shape[160];
  std::snprintf(shape, sizeof shape, "%s, %u sinks + %u window", options.mode.c_str(), sinks, window);

  ProgressBar bar;
  bar.tty = isatty(fileno(stderr)) != 0;
  PerplexityOptions eval;
  eval.segment_tokens = static_cast<uint64_t>(segment);
  if (bar.tty || progress) {
    eval.progress = [&bar](uint64_t done, uint64_t total, double seconds) { bar.draw(done, total, seconds); };
  }
  // The CSV is written as the run goes (header now, a row per finished
  // segment, flushed), so a long run that is stopped keeps what it measured.
  CsvFile csv;
  if (!csv_path.empty()) {
    csv.file = std::fopen(csv_path.c_str(), "wb");
    if (csv.file == nullptr) {
      std::fprintf(stderr, "ballast perplexity: --csv: cannot open '%s' for writing\n", csv_path.c_str());
      return 1;
    }
    csv.append(perplexity_csv_header());
    eval.on_segment = [&csv](size_t index, const PerplexitySegment &scored) {
      csv.append(perplexity_csv_row(index, scored));
    };
  }
  Result<PerplexityResult> result = streaming_perplexity(s, prefix, ids.data(), ids.size(), eval);
  if (!result.is_ok()) return fail("", result.status());
  const PerplexityResult &r = result.value();

  if (csv.file != nullptr) {
    const bool closed = std::fclose(csv.file) == 0;
    csv.file = nullptr;
    if (!csv.ok || !closed) {
      std::fprintf(stderr, "ballast perplexity: --csv: cannot write '%s'\n", csv_path.c_str());
      return 1;
    }
  }
  if (!plot_path.empty()) {
    std::vector<PlotSeries> series{plot_series_from_segments(label.empty() ? shape : label, r.segments)};
    Status written = write_text_file(plot_path, perplexity_svg(series, title.empty() ? text_path : title));
    if (!written.is_ok()) return fail("--plot: ", written);
  }

  if (json) {
    std::printf("{\"model\": %s, \"text\": %s, \"mode\": %s, \"sinks\": %u, \"window\": %u, \"cache\": %u, "
                "\"sink_text_tokens\": %zu, \"text_tokens\": %zu, \"looped\": %s, \"stream_tokens\": %zu, "
                "\"tokens_scored\": %llu, \"nll\": %.9f, \"perplexity\": %.6f, \"seconds\": %.3f, "
                "\"tokens_per_second\": %.2f, \"segments\": [",
                json_string(model_path).c_str(), json_string(text_path).c_str(), json_string(options.mode).c_str(),
                sinks, window, sinks + window, prefix.size(), text_tokens, looped ? "true" : "false", ids.size(),
                static_cast<unsigned long long>(r.tokens_scored), r.mean_nll(), r.perplexity(), r.seconds,
                r.tokens_per_second());
    for (size_t i = 0; i < r.segments.size(); ++i) {
      const PerplexitySegment &g = r.segments[i];
      std::printf("%s{\"first_token\": %llu, \"tokens\": %llu, \"nll\": %.9f, \"perplexity\": %.6f, "
                  "\"tokens_per_second\": %.2f}",
                  i == 0 ? "" : ", ", static_cast<unsigned long long>(g.first_scored),
                  static_cast<unsigned long long>(g.tokens), g.mean_nll(), g.perplexity(), g.tokens_per_second());
    }
    std::printf("]}\n");
    return 0;
  }
  std::printf("model: %s\n", model_path.c_str());
  std::printf("cache: %s (%u slots)\n", shape, sinks + window);
  if (use_sink_text) {
    std::printf("sink prefix: %zu tokens fed first, not scored (instead of BOS):", prefix.size());
    for (int32_t id : prefix) std::printf(" %d", id);
    std::printf("\n");
  }
  if (looped) {
    std::printf("text: %s, %zu tokens, LOOPED to %zu tokens (the same text repeated %.2f times)\n", text_path.c_str(),
                text_tokens, ids.size(), static_cast<double>(ids.size()) / static_cast<double>(text_tokens));
  } else {
    std::printf("text: %s, %zu tokens, %zu streamed\n", text_path.c_str(), text_tokens, ids.size());
  }
  std::printf("%8s %12s %10s %12s %12s %10s\n", "segment", "first_token", "tokens", "nll", "ppl", "tok/s");
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const PerplexitySegment &g = r.segments[i];
    std::printf("%8zu %12llu %10llu %12.6f %12.4f %10.1f\n", i, static_cast<unsigned long long>(g.first_scored),
                static_cast<unsigned long long>(g.tokens), g.mean_nll(), g.perplexity(), g.tokens_per_second());
  }
  std::printf("tokens scored: %llu | mean nll %.6f | %.1f tok/s | %.1f s\n",
              static_cast<unsigned long long>(r.tokens_scored), r.mean_nll(), r.tokens_per_second(), r.seconds);
  std::printf("perplexity: %.4f\n", r.perplexity());
  return 0;
}

}  // namespace ballast::cli
