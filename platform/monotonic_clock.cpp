// CLOCK_MONOTONIC in nanoseconds (see monotonic_clock.h).
#include "platform/monotonic_clock.h"

#include <time.h>

namespace ballast {

int64_t monotonic_now_ns() {
  struct timespec now;
  // CLOCK_MONOTONIC is mandatory on Linux; a failure here would leave `now` unset, so zero it.
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
  return static_cast<int64_t>(now.tv_sec) * 1000000000LL + static_cast<int64_t>(now.tv_nsec);
}

int64_t thread_cpu_now_ns() {
  struct timespec now;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) return 0;
  return static_cast<int64_t>(now.tv_sec) * 1000000000LL + static_cast<int64_t>(now.tv_nsec);
}

}  // namespace ballast
