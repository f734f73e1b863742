// An SVG line plot of perplexity against tokens streamed, one line per run
// (e.g. window-only vs sinks + window), with axes, ticks and a legend. A
// logarithmic y axis is used when the values span more than 4x.
#pragma once

#include <string>
#include <vector>

#include "runtime/eval/streaming_perplexity.h"

namespace ballast {

struct PlotSeries {
  std::string label;
  std::vector<double> tokens;      // x: tokens streamed at the end of each segment
  std::vector<double> perplexity;  // y
};

// x = first_token + tokens of each segment, y = its perplexity.
PlotSeries plot_series_from_segments(const std::string &label, const std::vector<PerplexitySegment> &segments);

// Empty series are skipped; if every series is empty the plot has no lines.
std::string perplexity_svg(const std::vector<PlotSeries> &series, const std::string &title);

}  // namespace ballast
