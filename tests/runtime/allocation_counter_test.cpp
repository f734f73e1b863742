#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/arena.h"
#include "tests/support/allocation_counter.h"

using ballast::testing::AllocationCountScope;

TEST_CASE("allocation counter sees operator new from this and other threads") {
  AllocationCountScope scope;
  auto p = std::make_unique<int>(7);
  std::vector<int> v(100);
  std::thread t([] { std::string s(1000, 'x'); (void)s; });
  t.join();
  CHECK(scope.count() >= 3);
  CHECK(scope.bytes() >= sizeof(int) + 400 + 1000);
}

TEST_CASE("allocation counter sees malloc when it interposes it") {
  if (!ballast::testing::allocation_counter_sees_malloc()) {
    MESSAGE("malloc is owned by the sanitizer runtime in this build; only operator new is counted");
    return;
  }
  // Called through volatile pointers so the compiler cannot elide the pair.
  void *(*volatile do_malloc)(size_t) = std::malloc;
  void (*volatile do_free)(void *) = std::free;
  AllocationCountScope scope;
  void *p = do_malloc(64);
  do_free(p);
  CHECK(scope.count() == 1);
}

TEST_CASE("arena bump allocation performs zero heap allocations") {
  alignas(64) static uint8_t storage[1 << 16];
  ballast::Arena arena(storage, sizeof storage);
  AllocationCountScope scope;
  for (int i = 0; i < 1000; ++i) {
    auto r = arena.allocate(32, 64, "step");
    REQUIRE(r.is_ok());
  }
  arena.reset();
  CHECK(scope.count() == 0);
}
