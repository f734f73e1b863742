// Monotonic time in nanoseconds (CLOCK_MONOTONIC: never jumps with wall-clock
// changes) and a tiny Stopwatch for timing prefill/decode steps. Allocation-free.
#pragma once

#include <cstdint>

namespace ballast {

// Nanoseconds since an arbitrary fixed point (boot); only differences are meaningful.
int64_t monotonic_now_ns();

// CPU time the calling thread has used, in nanoseconds (CLOCK_THREAD_CPUTIME_ID;
// 0 where unsupported). Unlike wall time it does not count time the thread
// waited for a core, so it measures work even on a busy machine.
int64_t thread_cpu_now_ns();

class Stopwatch {
 public:
  Stopwatch() : start_ns_(monotonic_now_ns()) {}

  void restart() { start_ns_ = monotonic_now_ns(); }
  int64_t elapsed_ns() const { return monotonic_now_ns() - start_ns_; }
  double elapsed_ms() const { return static_cast<double>(elapsed_ns()) * 1e-6; }
  double elapsed_seconds() const { return static_cast<double>(elapsed_ns()) * 1e-9; }

 private:
  int64_t start_ns_;  // monotonic_now_ns() at construction or last restart()
};

}  // namespace ballast
