// `ballast perplexity` and `ballast attention` as processes: the number the
// command prints equals a perplexity computed here by hand through a Session
// on the same model and text; its CSV and SVG parse; bad input fails cleanly.
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/eval/perplexity_csv.h"
#include "tests/engine/engine_test_support.h"
#include "tests/eval/xml_check.h"

using namespace ballast;
using namespace ballast::test;

namespace {

struct Run {
  int exit_code = -1;
  std::string out;  // stdout, then stderr
};

Run run_cli(const std::string &args) {
  Run r;
  const std::string command = std::string("\"") + BALLAST_CLI_PATH + "\" " + args + " 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string last_line(const std::string &text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  const size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

const char kText[] =
    "The quick brown fox jumps over the lazy dog. A streaming model keeps a few sink tokens and a window.\n"
    "Numbers like 12345 and punctuation, too; the cache evicts the oldest tokens as new ones arrive.\n";

std::string temp_path(const std::string &name) { return std::string(P_tmpdir) + "/ballast-eval-cli-" + name; }

}  // namespace

TEST_CASE("ballast perplexity prints the hand-computed perplexity last and writes parseable CSV and SVG") {
  mkmodel::ModelSpec spec;
  spec.seed = 41;
  const std::string model_path = temp_path("model.gguf"), text_path = temp_path("text.txt");
  const std::string csv_path = temp_path("run.csv"), svg_path = temp_path("run.svg");
  REQUIRE(mkmodel::write_model_file(spec, model_path).is_ok());
  REQUIRE(write_text_file(text_path, kText).is_ok());

  const Run run = run_cli("perplexity -m " + model_path + " -f " + text_path +
                          " --sinks 2 --window 14 --segment 10 --csv " + csv_path + " --plot " + svg_path);
  REQUIRE_MESSAGE(run.exit_code == 0, run.out);
  const std::string last = last_line(run.out);
  REQUIRE(last.rfind("perplexity: ", 0) == 0);
  const double printed = std::stod(last.substr(12));

  // Independently: same tokenization (BOS per the model), one token at a time.
  auto model = load_model(model_path);
  REQUIRE(model.is_ok());
  std::vector<int32_t> ids;
  REQUIRE(model.value()->tokenizer.encode(kText, true, false, &ids).is_ok());
  REQUIRE(ids.size() > 30);
  SessionParams params;
  params.sinks = 2;
  params.window = 14;
  auto session = make_session(*model.value(), params);
  const uint32_t n_vocab = model.value()->config.n_vocab;
  double total = 0;
  for (size_t t = 0; t + 1 < ids.size(); ++t) {
    REQUIRE(session->feed(&ids[t], 1).is_ok());
    double max_logit = -INFINITY, sum = 0;
    for (uint32_t i = 0; i < n_vocab; ++i) max_logit = std::fmax(max_logit, session->logits()[i]);
    for (uint32_t i = 0; i < n_vocab; ++i) sum += std::exp(session->logits()[i] - max_logit);
    total += std::log(sum) + max_logit - session->logits()[ids[t + 1]];
  }
  const double expected = std::exp(total / static_cast<double>(ids.size() - 1));
  CHECK(printed == doctest::Approx(expected).epsilon(1e-4));  // printed with 4 decimals

  auto csv = read_text_file(csv_path);
  REQUIRE(csv.is_ok());
  auto segments = parse_perplexity_csv(csv.value());
  REQUIRE_MESSAGE(segments.is_ok(), segments.status().to_string());
  CHECK(segments.value().size() == (ids.size() - 1 + 9) / 10);
  uint64_t scored = 0;
  for (const PerplexitySegment &s : segments.value()) scored += s.tokens;
  CHECK(scored == ids.size() - 1);
  auto svg = read_text_file(svg_path);
  REQUIRE(svg.is_ok());
  std::string error;
  CHECK_MESSAGE(xml_well_formed(svg.value(), &error), error);
  CHECK(count_elements(svg.value(), "polyline") == 1);

  // --json: one object with the same figure.
  const Run json = run_cli("perplexity --json -m " + model_path + " -f " + text_path + " --sinks 2 --window 14");
  REQUIRE(json.exit_code == 0);
  const size_t at = json.out.find("\"perplexity\": ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(json.out.substr(at + 14)) == doctest::Approx(expected).epsilon(1e-6));
  CHECK(json.out.find("\"sinks\": 2, \"window\": 14") != std::string::npos);

  // --plot-from overlays CSVs without a model.
  const std::string overlay = temp_path("overlay.svg");
  const Run plot = run_cli("perplexity --plot-from " + csv_path + "," + csv_path + " --plot " + overlay);
  REQUIRE_MESSAGE(plot.exit_code == 0, plot.out);
  auto overlay_svg = read_text_file(overlay);
  REQUIRE(overlay_svg.is_ok());
  CHECK(xml_well_formed(overlay_svg.value(), &error));
  CHECK(count_elements(overlay_svg.value(), "polyline") == 2);

  // Modes are selectable: window-only gives another number on this stream.
  const Run window = run_cli("perplexity -m " + model_path + " -f " + text_path + " --mode window --window 16");
  REQUIRE(window.exit_code == 0);
  CHECK(last_line(window.out) != last);
  CHECK(window.out.find("0 sinks + 16 window") != std::string::npos);

  // ballast attention on the same model: one row per layer and head plus a mean per layer.
  const Run attention = run_cli("attention -m " + model_path + " -f " + text_path + " --sinks 2 --window 14 --tokens 8");
  REQUIRE_MESSAGE(attention.exit_code == 0, attention.out);
  size_t rows = 0;
  for (size_t p = attention.out.find(" mean "); p != std::string::npos; p = attention.out.find(" mean ", p + 1)) ++rows;
  CHECK(rows == spec.layers);

  for (const std::string &p : {model_path, text_path, csv_path, svg_path, overlay}) std::remove(p.c_str());
}

TEST_CASE("ballast perplexity fails cleanly on a missing file and empty text and window 0") {
  mkmodel::ModelSpec spec;
  const std::string model_path = temp_path("model2.gguf"), empty_path = temp_path("empty.txt");
  REQUIRE(mkmodel::write_model_file(spec, model_path).is_ok());
  REQUIRE(write_text_file(empty_path, "").is_ok());
  const Run missing = run_cli("perplexity -m " + model_path + " -f " + temp_path("no-such-file.txt"));
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("no-such-file.txt") != std::string::npos);
  const Run empty = run_cli("perplexity -m " + model_path + " -f " + empty_path);
  CHECK(empty.exit_code == 1);
  CHECK(empty.out.find("too little text") != std::string::npos);
  const Run zero = run_cli("perplexity -m " + model_path + " -f " + empty_path + " --window 0");
  CHECK(zero.exit_code == 2);
  const Run no_model = run_cli("perplexity -m " + temp_path("no-model.gguf") + " -f " + empty_path);
  CHECK(no_model.exit_code == 1);
  // An unwritable --csv is reported before any token is decoded.
  const std::string text_path = temp_path("some-text.txt");
  REQUIRE(write_text_file(text_path, "Some text that is long enough to be scored by the model.").is_ok());
  const Run bad_csv = run_cli("perplexity -m " + model_path + " -f " + text_path + " --csv " +
                              temp_path("no-such-dir") + "/run.csv");
  CHECK(bad_csv.exit_code == 1);
  CHECK(bad_csv.out.find("--csv: cannot open") != std::string::npos);
  std::remove(text_path.c_str());
  std::remove(model_path.c_str());
  std::remove(empty_path.c_str());
}
