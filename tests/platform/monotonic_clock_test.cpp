// Monotonic nanosecond clock and Stopwatch.
#include <doctest/doctest.h>

#include <time.h>

#include "platform/monotonic_clock.h"

using namespace ballast;

namespace {
void sleep_ms(long milliseconds) {
  struct timespec duration = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
  while (nanosleep(&duration, &duration) != 0) {
  }
}
}  // namespace

TEST_CASE("monotonic_now_ns never goes backwards and has sub-millisecond resolution") {
  int64_t previous = monotonic_now_ns();
  CHECK(previous > 0);
  int64_t smallest_step = INT64_MAX;
  for (int i = 0; i < 10000; ++i) {
    const int64_t now = monotonic_now_ns();
    CHECK(now >= previous);
    if (now > previous && now - previous < smallest_step) smallest_step = now - previous;
    previous = now;
  }
  CHECK(smallest_step < 1000000);  // some consecutive readings differ by < 1 ms
}

TEST_CASE("Stopwatch measures a sleep and restarts") {
  Stopwatch watch;
  sleep_ms(30);
  const int64_t elapsed = watch.elapsed_ns();
  CHECK(elapsed >= 30 * 1000000LL);
  CHECK(elapsed < 5 * 1000000000LL);
  CHECK(watch.elapsed_ms() >= 30.0);
  CHECK(watch.elapsed_seconds() >= 0.030);
  CHECK(watch.elapsed_seconds() * 1e3 <= watch.elapsed_ms() + 1.0);

  watch.restart();
  CHECK(watch.elapsed_ns() < 30 * 1000000LL);
}
