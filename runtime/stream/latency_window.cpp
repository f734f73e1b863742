#include "runtime/stream/latency_window.h"

#include <algorithm>

namespace ballast {

void LatencyWindow::add(double value) {
  if (samples_.empty()) return;
  samples_[count_ % samples_.size()] = value;
  ++count_;
}

double LatencyWindow::percentile(double q) {
  const size_t n = size();
  if (n == 0) return 0;
  std::copy(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(n), scratch_.begin());
  size_t k = static_cast<size_t>(q * static_cast<double>(n - 1) + 0.5);
  if (k >= n) k = n - 1;
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(k),
                   scratch_.begin() + static_cast<std::ptrdiff_t>(n));
  return scratch_[k];
}

}  // namespace ballast
