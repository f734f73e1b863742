// The perplexity CSV round-trips and the SVG plot is well-formed XML with one
// polyline per run and one point per segment.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/eval/perplexity_csv.h"
#include "runtime/eval/perplexity_plot.h"
#include "tests/eval/xml_check.h"

using namespace ballast;

namespace {

PerplexityResult sample_result() {
  PerplexityResult r;
  const double nll[3] = {3.5, 3.25, 4.0};
  for (int i = 0; i < 3; ++i) {
    PerplexitySegment s;
    s.first_scored = static_cast<uint64_t>(i) * 100;
    s.tokens = i < 2 ? 100 : 37;
    s.nll_sum = nll[i] * static_cast<double>(s.tokens);
    s.seconds = 0.5;
    r.segments.push_back(s);
    r.tokens_scored += s.tokens;
    r.nll_sum += s.nll_sum;
  }
  return r;
}

}  // namespace

TEST_CASE("perplexity CSV has one row per segment and parses back") {
  const PerplexityResult r = sample_result();
  const std::string csv = perplexity_csv(r);
  CHECK(csv.rfind("segment,first_token,tokens,nll,ppl,tok_per_s\n", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);
  auto parsed = parse_perplexity_csv(csv);
  REQUIRE_MESSAGE(parsed.is_ok(), parsed.status().to_string());
  REQUIRE(parsed.value().size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(parsed.value()[i].first_scored == r.segments[i].first_scored);
    CHECK(parsed.value()[i].tokens == r.segments[i].tokens);
    CHECK(parsed.value()[i].perplexity() == doctest::Approx(r.segments[i].perplexity()).epsilon(1e-8));
    CHECK(parsed.value()[i].tokens_per_second() == doctest::Approx(r.segments[i].tokens_per_second()).epsilon(1e-3));
  }
  // Each ppl column equals exp(nll column).
  CHECK(csv.find(",3.500000000,33.115452,") != std::string::npos);
  // The piecewise writers (used to append rows during a run) give the same text.
  std::string pieces = perplexity_csv_header();
  for (size_t i = 0; i < r.segments.size(); ++i) pieces += perplexity_csv_row(i, r.segments[i]);
  CHECK(pieces == csv);
}

TEST_CASE("malformed perplexity CSV is rejected with the line number") {
  CHECK_FALSE(parse_perplexity_csv("").is_ok());
  CHECK_FALSE(parse_perplexity_csv("seg,tokens\n0,1\n").is_ok());
  auto bad = parse_perplexity_csv("segment,first_token,tokens,nll,ppl,tok_per_s\n0,0,10,3.5,33.1,x\n");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("line 2") != std::string::npos);
  CHECK_FALSE(parse_perplexity_csv("segment,first_token,tokens,nll,ppl,tok_per_s\n1,0,10,3.5,33.1,5\n").is_ok());
}

TEST_CASE("the SVG plot is well-formed with one polyline per run and one point per segment") {
  const PerplexityResult r = sample_result();
  std::vector<PlotSeries> series;
  series.push_back(plot_series_from_segments("sink <4> & window", r.segments));
  PlotSeries flat = plot_series_from_segments("window-only", r.segments);
  for (double &p : flat.perplexity) p *= 100;  // spans > 4x: log axis
  series.push_back(flat);
  series.push_back(PlotSeries{"empty", {}, {}});
  const std::string svg = perplexity_svg(series, "test \"plot\"");
  std::string error;
  CHECK_MESSAGE(test::xml_well_formed(svg, &error), error);
  CHECK(svg.rfind("<svg ", 0) == 0);
  CHECK(test::count_elements(svg, "polyline") == 2);
  const std::vector<std::string> points = test::attribute_values(svg, "polyline", "points");
  REQUIRE(points.size() == 2);
  for (const std::string &p : points) CHECK(std::count(p.begin(), p.end(), ',') == 3);
  CHECK(svg.find("sink &lt;4&gt; &amp; window") != std::string::npos);
  CHECK(svg.find("log scale") != std::string::npos);
  // Higher perplexity is drawn higher up (smaller y): the window-only line lies above.
  const double y_first = std::stod(points[0].substr(points[0].find(',') + 1));
  const double y_second = std::stod(points[1].substr(points[1].find(',') + 1));
  CHECK(y_second < y_first);
}
