#include "runtime/eval/perplexity_csv.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace ballast {

namespace {
const char kHeader[] = "segment,first_token,tokens,nll,ppl,tok_per_s";
}

std::string perplexity_csv_header() { return std::string(kHeader) + "\n"; }

std::string perplexity_csv_row(size_t index, const PerplexitySegment &s) {
  char line[256];
  std::snprintf(line, sizeof line, "%zu,%llu,%llu,%.9f,%.6f,%.2f\n", index,
                static_cast<unsigned long long>(s.first_scored), static_cast<unsigned long long>(s.tokens),
                s.mean_nll(), s.perplexity(), s.tokens_per_second());
  return line;
}

std::string perplexity_csv(const PerplexityResult &result) {
  std::string out = perplexity_csv_header();
  for (size_t i = 0; i < result.segments.size(); ++i) out += perplexity_csv_row(i, result.segments[i]);
  return out;
}

Status write_text_file(const std::string &path, const std::string &text) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return make_status(StatusCode::io_error, "cannot open '%s' for writing", path.c_str());
  const size_t written = std::fwrite(text.data(), 1, text.size(), f);
  const bool closed = std::fclose(f) == 0;
  if (written != text.size() || !closed) return make_status(StatusCode::io_error, "cannot write '%s'", path.c_str());
  return Status::ok();
}

Result<std::string> read_text_file(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return make_status(StatusCode::io_error, "cannot open '%s'", path.c_str());
  std::string text;
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, got);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return make_status(StatusCode::io_error, "cannot read '%s'", path.c_str());
  return text;
}

Result<std::vector<PerplexitySegment>> parse_perplexity_csv(const std::string &text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    return make_status(StatusCode::invalid_argument, "line 1: expected the header '%s'", kHeader);
  }
  std::vector<PerplexitySegment> segments;
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    double fields[6];
    const char *p = line.c_str();
    for (int f = 0; f < 6; ++f) {
      char *end = nullptr;
      errno = 0;
      fields[f] = std::strtod(p, &end);
      const char expected_end = f == 5 ? '\0' : ',';
      if (end == p || *end != expected_end || errno == ERANGE || !std::isfinite(fields[f])) {
        return make_status(StatusCode::invalid_argument, "line %d: field %d is not a number", line_number, f + 1);
      }
      p = end + (f == 5 ? 0 : 1);
    }
    if (fields[0] != static_cast<double>(segments.size()) || fields[2] < 1) {
      return make_status(StatusCode::invalid_argument, "line %d: segment numbers or token counts out of order",
                         line_number);
    }
    PerplexitySegment s;
    s.first_scored = static_cast<uint64_t>(fields[1]);
    s.tokens = static_cast<uint64_t>(fields[2]);
    s.nll_sum = fields[3] * fields[2];
    s.seconds = fields[5] > 0 ? fields[2] / fields[5] : 0;
    segments.push_back(s);
  }
  return segments;
}

}  // namespace ballast
