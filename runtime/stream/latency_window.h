// Per-token latency percentiles over the most recent samples, in fixed
// memory (for `ballast stream --stats-every`, the endurance benchmark).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ballast {

class LatencyWindow {
 public:
  explicit LatencyWindow(size_t capacity) : samples_(capacity), scratch_(capacity) {}
  // One sample (e.g. nanoseconds per token of one fed line).
  void add(double value);
  // Percentile q in [0, 1] of the samples held (0 when empty). No allocation.
  double percentile(double q);
  size_t size() const { return count_ < samples_.size() ? count_ : samples_.size(); }
  void clear() { count_ = 0; }

 private:
  std::vector<double> samples_;  // ring of the last `capacity` samples
  std::vector<double> scratch_;  // sorted copy for percentile()
  size_t count_ = 0;             // samples added since clear()
};

}  // namespace ballast
