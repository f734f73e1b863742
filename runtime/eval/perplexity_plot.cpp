#include "runtime/eval/perplexity_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ballast {

namespace {

const char *const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

std::string escape_xml(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format(const char *fmt, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, fmt, a, b, c, d);
  return buffer;
}

// Round tick values: 1, 2, 5 x 10^k, about `count` of them over [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push_back(v);
  return ticks;
}

std::string short_number(double v) {
  if (std::fabs(v) >= 1e6) return format("%gM", v / 1e6);
  if (std::fabs(v) >= 1e3) return format("%gk", v / 1e3);
  return format("%g", v);
}

}  // namespace

PlotSeries plot_series_from_segments(const std::string &label, const std::vector<PerplexitySegment> &segments) {
  PlotSeries s;
  s.label = label;
  for (const PerplexitySegment &seg : segments) {
    s.tokens.push_back(static_cast<double>(seg.first_scored + seg.tokens));
    s.perplexity.push_back(seg.perplexity());
  }
  return s;
}

std::string perplexity_svg(const std::vector<PlotSeries> &series, const std::string &title) {
  const double width = 760, height = 440, left = 70, right = 20, top = 40, bottom = 50;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double x_max = 1, y_min = 0, y_max = 0;
  bool any = false;
  for (const PlotSeries &s : series) {
    for (size_t i = 0; i < s.tokens.size() && i < s.perplexity.size(); ++i) {
      if (!std::isfinite(s.perplexity[i]) || s.perplexity[i] <= 0) continue;
      x_max = std::max(x_max, s.tokens[i]);
      y_min = any ? std::min(y_min, s.perplexity[i]) : s.perplexity[i];
      y_max = any ? std::max(y_max, s.perplexity[i]) : s.perplexity[i];
      any = true;
    }
  }
  if (!any) {
    y_min = 1;
    y_max = 10;
  }
  const bool log_y = y_max / y_min > 4.0;
  double lo = log_y ? std::log10(y_min) : y_min, hi = log_y ? std::log10(y_max) : y_max;
  const double pad = hi > lo ? (hi - lo) * 0.08 : (log_y ? 0.1 : std::max(1.0, hi * 0.05));
  lo -= pad;
  hi += pad;
  if (!log_y) lo = std::max(0.0, lo);
  auto px = [&](double x) { return left + plot_w * x / x_max; };
  auto py = [&](double y) {
    const double v = log_y ? std::log10(y) : y;
    return top + plot_h * (1.0 - (v - lo) / (hi - lo));
  };

  std::string svg = format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" "
                           "font-family=\"sans-serif\" font-size=\"12\">\n",
                           width, height, width, height);
  svg += format("<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"white\"/>\n", width, height);
  svg += format("<text x=\"%g\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">", width / 2) + escape_xml(title) +
         "</text>\n";
  svg += format("<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"black\"/>\n", left, top,
                plot_w, plot_h);
  for (double t : linear_ticks(0, x_max, 6)) {
    svg += format("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#ddd\"/>\n", px(t), top, px(t),
                  top + plot_h);
    svg += format("<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", px(t), top + plot_h + 16) +
           short_number(t) + "</text>\n";
  }
  std::vector<double> y_ticks;
  if (log_y) {
    for (double e = std::floor(lo); e <= hi; e += 1) {
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = m * std::pow(10.0, e);
        if (std::log10(v) >= lo && std::log10(v) <= hi) y_ticks.push_back(v);
      }
    }
  } else {
    y_ticks = linear_ticks(lo, hi, 6);
  }
  for (double v : y_ticks) {
    svg += format("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#ddd\"/>\n", left, py(v),
                  left + plot_w, py(v));
    svg += format("<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">", left - 6, py(v) + 4) + short_number(v) +
           "</text>\n";
  }
  svg += format("<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">tokens streamed</text>\n", left + plot_w / 2,
                height - 12);
  svg += format("<text x=\"16\" y=\"%g\" text-anchor=\"middle\" transform=\"rotate(-90 16 %g)\">", top + plot_h / 2,
                top + plot_h / 2) +
         std::string(log_y ? "perplexity (log scale)" : "perplexity") + "</text>\n";

  size_t drawn = 0;
  for (const PlotSeries &s : series) {
    std::string points;
    for (size_t i = 0; i < s.tokens.size() && i < s.perplexity.size(); ++i) {
      if (!std::isfinite(s.perplexity[i]) || s.perplexity[i] <= 0) continue;
      if (!points.empty()) points += ' ';
      points += format("%.2f,%.2f", px(s.tokens[i]), py(s.perplexity[i]));
    }
    if (points.empty()) continue;
    const char *color = kColors[drawn % (sizeof kColors / sizeof kColors[0])];
    svg += std::string("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"") + color + "\" points=\"" + points +
           "\"/>\n";
    const double ly = top + 16 + 16 * static_cast<double>(drawn);
    svg += format("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke-width=\"2\" ", left + plot_w - 200, ly,
                  left + plot_w - 180, ly) +
           "stroke=\"" + color + "\"/>\n";
    svg += format("<text x=\"%.2f\" y=\"%.2f\">", left + plot_w - 174, ly + 4) + escape_xml(s.label) + "</text>\n";
    ++drawn;
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace ballast
