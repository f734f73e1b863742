// No C++ exception crosses the C API: this executable replaces the global
// operator new with one that throws std::bad_alloc on the N-th allocation,
// and sweeps N over every allocation that model loading, session creation,
// tokenizing and feeding text make. Each call must return BALLAST_OK (N was
// past its last allocation) or BALLAST_ERROR_OUT_OF_MEMORY with a message;
// an escaping exception would terminate the test process.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include <doctest/doctest.h>

#include "tests/capi/capi_test_support.h"

namespace {

// -1: never fail. Otherwise the number of allocations still allowed.
std::atomic<long> g_allocations_left{-1};

void maybe_fail() {
  if (g_allocations_left.load(std::memory_order_relaxed) < 0) return;
  if (g_allocations_left.fetch_sub(1) == 0) {
    g_allocations_left.store(-1);
    throw std::bad_alloc();
  }
}

void *allocate(std::size_t size, std::size_t alignment) {
  maybe_fail();
  if (size == 0) size = 1;
  void *p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size);
  } else if (posix_memalign(&p, alignment, size) != 0) {
    p = nullptr;
  }
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Arms the failure for the call made by `call`, disarms right after it.
template <typename Call>
ballast_status with_failure_after(long allowed, Call &&call) {
  g_allocations_left.store(allowed);
  const ballast_status status = call();
  g_allocations_left.store(-1);
  return status;
}

}  // namespace

void *operator new(std::size_t size) { return allocate(size, 0); }
void *operator new[](std::size_t size) { return allocate(size, 0); }
void *operator new(std::size_t size, std::align_val_t alignment) { return allocate(size, static_cast<std::size_t>(alignment)); }
void *operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate(size, static_cast<std::size_t>(alignment));
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept {
  try {
    return allocate(size, 0);
  } catch (...) {
    return nullptr;
  }
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept {
  try {
    return allocate(size, 0);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace ballast::capi_test;

namespace {

// Runs `call` failing at allocation 0, 1, 2, ... until it succeeds; every
// failure must be OUT_OF_MEMORY with a message. Returns the failures seen.
template <typename Call, typename Cleanup>
long sweep_allocation_failures(const char *what, Call &&call, Cleanup &&cleanup) {
  long failures = 0;
  for (long allowed = 0; allowed < 100000; ++allowed) {
    const ballast_status status = with_failure_after(allowed, call);
    if (status == BALLAST_OK) {
      cleanup();
      return failures;
    }
    CAPTURE(what);
    CAPTURE(allowed);
    REQUIRE(status == BALLAST_ERROR_OUT_OF_MEMORY);
    // Either our boundary caught std::bad_alloc ("...: out of memory (allocation
    // failed)") or internal code turned it into its own out_of_memory status.
    CHECK(std::strlen(ballast_last_error()) > 0);
    ++failures;
  }
  FAIL("never succeeded");
  return failures;
}

}  // namespace

TEST_CASE("bad_alloc anywhere in model load becomes OUT_OF_MEMORY") {
  const std::string path = small_model_path();
  ballast_model *model = nullptr;
  const long failures = sweep_allocation_failures(
      "ballast_model_load", [&] { return ballast_model_load(path.c_str(), nullptr, &model); },
      [&] { ballast_model_free(model); });
  MESSAGE("model load survived " << failures << " injected allocation failures");
  CHECK(failures > 10);  // loading really allocates (tokenizer tables, ...), so the sweep tested something
}

TEST_CASE("session create and tokenize and feed_text and generate") {
  LoadedModel loaded;
  ballast_session *session = nullptr;
  ballast_session_params params = small_session_params();
  params.ignore_eos = true;
  const long create_failures = sweep_allocation_failures(
      "ballast_session_create", [&] { return ballast_session_create(loaded.model, &params, &session); }, [] {});
  CHECK(create_failures > 0);
  REQUIRE(session != nullptr);

  const std::string text = "the cat sat on the mat and looked at the dog";
  int32_t ids[128];
  size_t n = 0;
  const long tokenize_failures = sweep_allocation_failures(
      "ballast_tokenize",
      [&] { return ballast_tokenize(loaded.model, text.data(), text.size(), true, false, ids, 128, &n); }, [] {});
  CHECK(tokenize_failures > 0);

  // feed_text allocates only its token list; a failure must leave the session usable.
  const long feed_failures = sweep_allocation_failures(
      "ballast_session_feed_text",
      [&] { return ballast_session_feed_text(session, text.data(), text.size(), true, false); }, [] {});
  CHECK(feed_failures > 0);
  // generate never allocates: armed to fail at the first allocation, it still succeeds.
  ballast_generate_result result;
  CHECK(with_failure_after(0, [&] { return ballast_session_generate(session, 40, nullptr, nullptr, &result); }) ==
        BALLAST_OK);
  CHECK(result.n_tokens == 40);
  ballast_session_free(session);
}
