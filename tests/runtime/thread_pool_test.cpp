// The thread pool, in each implementation this build has (pthreadpool and
// the built-in one, chosen by BALLAST_THREADPOOL): every task of a region
// runs exactly once, regions follow each other without mixing, tasks run on
// several OS threads, and split_range tiles [0, total) exactly.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <set>
#include <thread>
#include <vector>

#include "runtime/threading/thread_pool.h"

using namespace ballast;

namespace {

// Runs f() once per implementation compiled in, with BALLAST_THREADPOOL set
// to it; restores the variable afterwards.
template <typename F>
void for_each_implementation(F f) {
  const char *saved = std::getenv("BALLAST_THREADPOOL");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::unsetenv("BALLAST_THREADPOOL");
  CHECK(std::string(thread_pool_implementation().value()) == "ballast");  // the default, with or without pthreadpool
  for (const char *name : {"ballast", "pthreadpool"}) {
    ::setenv("BALLAST_THREADPOOL", name, 1);
    if (!thread_pool_implementation().is_ok()) {
      CHECK(std::string(name) == "pthreadpool");
      MESSAGE("skipped the pthreadpool implementation: this build has no pthreadpool");
      continue;
    }
    CAPTURE(name);
    f(name);
  }
  if (saved != nullptr) {
    ::setenv("BALLAST_THREADPOOL", saved_value.c_str(), 1);
  } else {
    ::unsetenv("BALLAST_THREADPOOL");
  }
}

}  // namespace

TEST_CASE("BALLAST_THREADPOOL picks the implementation and refuses unknown names") {
  const char *saved = std::getenv("BALLAST_THREADPOOL");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::setenv("BALLAST_THREADPOOL", "openmp", 1);
  CHECK(thread_pool_implementation().status().code() == StatusCode::invalid_argument);
  CHECK_FALSE(ThreadPool::create(2).is_ok());
  if (saved != nullptr) {
    ::setenv("BALLAST_THREADPOOL", saved_value.c_str(), 1);
  } else {
    ::unsetenv("BALLAST_THREADPOOL");
  }
  for_each_implementation([](const char *name) {
    auto pool = ThreadPool::create(3);
    REQUIRE(pool.is_ok());
    CHECK(std::string(pool.value()->implementation()) == name);
  });
}

TEST_CASE("thread pool runs every task of every region exactly once") {
  for_each_implementation([](const char *) {
  for (uint32_t threads : {1u, 2u, 3u, 4u}) {
    auto pool = ThreadPool::create(threads);
    REQUIRE(pool.is_ok());
    CHECK(pool.value()->threads() == threads);
    for (uint32_t n_tasks : {1u, 2u, 3u, 7u, 64u}) {
      for (int region = 0; region < 60; ++region) {
        std::vector<std::atomic<int>> hits(n_tasks);
        for (auto &h : hits) h.store(0);
        auto task = [&](uint32_t t) { hits[t].fetch_add(1 + region); };
        pool.value()->run(n_tasks, task);
        for (uint32_t t = 0; t < n_tasks; ++t) REQUIRE(hits[t].load() == 1 + region);
      }
    }
  }
  });
}

TEST_CASE("thread pool spreads tasks over several threads and wakes after sleeping") {
  for_each_implementation([](const char *) {
  auto pool = ThreadPool::create(2);
  REQUIRE(pool.is_ok());
  std::mutex mutex;
  std::set<std::thread::id> seen;
  for (int attempt = 0; attempt < 50 && seen.size() < 2; ++attempt) {
    if (attempt % 10 == 9) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // workers go to sleep
    auto task = [&](uint32_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(std::this_thread::get_id());
    };
    pool.value()->run(2, task);
  }
  CHECK(seen.size() == 2);
  });
}

TEST_CASE("thread pool rejects zero threads") { CHECK_FALSE(ThreadPool::create(0).is_ok()); }

TEST_CASE("split_range tiles the range in granules") {
  for (int64_t total : {0, 1, 5, 16, 17, 100, 2048, 5632}) {
    for (uint32_t parts : {1u, 2u, 3u, 8u}) {
      for (int64_t granule : {1, 8, 16}) {
        int64_t expected_begin = 0;
        int64_t min_size = total, max_size = 0;
        for (uint32_t p = 0; p < parts; ++p) {
          int64_t begin = -1, end = -1;
          split_range(total, parts, p, granule, &begin, &end);
          CHECK(begin == expected_begin);
          CHECK(end >= begin);
          if (end < total) CHECK(end % granule == 0);
          expected_begin = end;
          min_size = std::min(min_size, end - begin);
          max_size = std::max(max_size, end - begin);
        }
        CHECK(expected_begin == total);
        if (total >= granule * parts) CHECK(max_size - min_size < 2 * granule);  // one extra granule, one partial
      }
    }
  }
}
