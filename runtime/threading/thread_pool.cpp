#include "runtime/threading/thread_pool.h"

#include <cstdlib>
#include <cstring>
#include <system_error>

#if BALLAST_HAVE_PTHREADPOOL
#include <pthreadpool.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ballast {
namespace {

// Rounds of waiting (pauses, then yields) before a worker sleeps.
constexpr int kSpinRounds = 20000;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

// Pause while the wait is short; past ~1000 rounds give the core away (an
// oversubscribed machine would otherwise spin against the thread it waits for).
void relax_or_yield(int round) {
  if (round < 1000) {
    cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

#if BALLAST_HAVE_PTHREADPOOL
constexpr bool kHavePthreadpool = true;

// pthreadpool passes one context pointer and a size_t index.
struct PthreadpoolRegion {
  ParallelTaskFn fn;
  void *context;
};

void run_pthreadpool_task(void *region, size_t task) {
  const PthreadpoolRegion *r = static_cast<const PthreadpoolRegion *>(region);
  r->fn(r->context, static_cast<uint32_t>(task));
}
#else
constexpr bool kHavePthreadpool = false;
#endif

}  // namespace

Result<const char *> thread_pool_implementation() {
  const char *env = std::getenv("BALLAST_THREADPOOL");
  // Default: the built-in pool (thread_pool.h says why pthreadpool is not).
  if (env == nullptr || env[0] == '\0') return "ballast";
  if (std::strcmp(env, "ballast") == 0) return "ballast";
  if (std::strcmp(env, "pthreadpool") == 0) {
    if (kHavePthreadpool) return "pthreadpool";
    return make_status(StatusCode::unsupported, "BALLAST_THREADPOOL=pthreadpool, but this build has no pthreadpool");
  }
  return make_status(StatusCode::invalid_argument, "BALLAST_THREADPOOL must be pthreadpool or ballast, got '%s'", env);
}

Result<std::unique_ptr<ThreadPool>> ThreadPool::create(uint32_t threads) {
  if (threads == 0 || threads > 256) {
    return make_status(StatusCode::invalid_argument, "thread pool: threads must be in 1..256, got %u", threads);
  }
  BALLAST_ASSIGN_OR_RETURN(const char *implementation, thread_pool_implementation());
  std::unique_ptr<ThreadPool> pool(new (std::nothrow) ThreadPool(threads));
  if (!pool) return make_status(StatusCode::out_of_memory, "thread pool: no memory for the pool");
  if (threads == 1) return pool;
#if BALLAST_HAVE_PTHREADPOOL
  if (std::strcmp(implementation, "pthreadpool") == 0) {
    pool->pthreadpool_ = pthreadpool_create(threads);
    if (pool->pthreadpool_ == nullptr) {
      return make_status(StatusCode::internal, "thread pool: pthreadpool_create(%u) failed", threads);
    }
    return pool;
  }
#else
  (void)implementation;
#endif
  try {
    pool->workers_.reserve(threads - 1);
    for (uint32_t i = 1; i < threads; ++i) pool->workers_.emplace_back([p = pool.get()] { p->worker_loop(); });
  } catch (const std::exception &e) {
    // Stop the ones that started; the destructor joins them.
    return make_status(StatusCode::internal, "thread pool: could not start thread %zu of %u: %s",
                       pool->workers_.size() + 1, threads, e.what());
  }
  return pool;
}

ThreadPool::~ThreadPool() {
#if BALLAST_HAVE_PTHREADPOOL
  if (pthreadpool_ != nullptr) pthreadpool_destroy(pthreadpool_);
#endif
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (std::thread &t : workers_) t.join();
}

void ThreadPool::work_on_current_region() {
  for (;;) {
    const uint32_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= n_tasks_) break;
    fn_(context_, task);
    done_tasks_.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    // Wait for a new region (or stop): spin, then sleep.
    uint64_t current = region_.load(std::memory_order_acquire);
    for (int i = 0; current == seen && i < kSpinRounds && !stop_.load(std::memory_order_relaxed); ++i) {
      relax_or_yield(i);
      current = region_.load(std::memory_order_acquire);
    }
    if (current == seen && !stop_.load()) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return region_.load() != seen || stop_.load(); });
      sleepers_.fetch_sub(1);
      current = region_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = current;
    work_on_current_region();
    active_workers_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::run(uint32_t n_tasks, ParallelTaskFn fn, void *context) {
  if (n_tasks == 0) return;
#if BALLAST_HAVE_PTHREADPOOL
  if (pthreadpool_ != nullptr && n_tasks > 1) {
    PthreadpoolRegion region{fn, context};
    pthreadpool_parallelize_1d(pthreadpool_, run_pthreadpool_task, &region, n_tasks, 0);
    return;
  }
#endif
  if (workers_.empty() || n_tasks == 1) {
    for (uint32_t t = 0; t < n_tasks; ++t) fn(context, t);
    return;
  }
  fn_ = fn;
  context_ = context;
  n_tasks_ = n_tasks;
  next_task_.store(0, std::memory_order_relaxed);
  done_tasks_.store(0, std::memory_order_relaxed);
  active_workers_.store(static_cast<uint32_t>(workers_.size()), std::memory_order_relaxed);
  region_.fetch_add(1, std::memory_order_seq_cst);  // publishes the fields above
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  work_on_current_region();
  // Every task done, and every worker out of the region (so none can read the
  // next region's fields half-written).
  for (int i = 0; done_tasks_.load(std::memory_order_acquire) < n_tasks ||
                  active_workers_.load(std::memory_order_acquire) != 0;
       ++i) {
    relax_or_yield(i);
  }
}

void split_range(int64_t total, uint32_t n_parts, uint32_t part, int64_t granule, int64_t *begin, int64_t *end) {
  if (granule < 1) granule = 1;
  const int64_t granules = (total + granule - 1) / granule;
  const int64_t base = granules / n_parts, extra = granules % n_parts;
  const int64_t first = part * base + (part < extra ? part : extra);
  const int64_t count = base + (part < extra ? 1 : 0);
  *begin = first * granule < total ? first * granule : total;
  *end = (first + count) * granule < total ? (first + count) * granule : total;
}

}  // namespace ballast
