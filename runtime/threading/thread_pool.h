// A fixed set of worker threads created once (at session creation) that run
// one parallel region at a time: run(n_tasks, fn, context) calls
// fn(context, t) for every t in [0, n_tasks) -- the calling thread takes part
// -- and returns when all are done. Nothing allocates after create(): the
// task is a function pointer plus a context pointer.
//
// Two implementations behind the one interface:
//   ballast      (the default): a worker spins briefly on the region counter
//                (decode runs ~200 short regions per token, so a sleep/wake
//                per region would cost more than the work), yields, then
//                blocks on a condition variable, so an idle session costs no
//                CPU and a descheduled thread is not spun against.
//   pthreadpool  (when the build found libpthreadpool, the pool XNNPACK
//                uses): pthreadpool_parallelize_1d over the tasks; its
//                workers spin between regions before sleeping on a futex.
//                Not the default: with more threads than free cores it
//                collapses (SmolLM2-135M Q4_0 decode with -t 3 on 2 cores:
//                0.8 tok/s against 80 for the built-in pool), and with a core
//                each it decodes slower here (271-345 against 357-382 tok/s
//                at -t 2, prefill equal; docs/PERFORMANCE.md).
// BALLAST_THREADPOOL=pthreadpool|ballast picks one (an unknown value, or
// pthreadpool in a build without it, is an error at create()). With
// threads == 1 no worker exists and run() is a plain loop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/status.h"

struct pthreadpool;  // <pthreadpool.h>

namespace ballast {

using ParallelTaskFn = void (*)(void *context, uint32_t task);

class ThreadPool {
 public:
  // threads: 1..256 (the caller counts as one). Error if a thread cannot start.
  static Result<std::unique_ptr<ThreadPool>> create(uint32_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  uint32_t threads() const { return threads_; }
  const char *implementation() const { return pthreadpool_ != nullptr ? "pthreadpool" : "ballast"; }

  // Runs fn(context, t) for t in [0, n_tasks); tasks are handed out
  // dynamically, so n_tasks may exceed threads(). Not reentrant: call from
  // one thread at a time, never from inside a task.
  void run(uint32_t n_tasks, ParallelTaskFn fn, void *context);

  // Same with a callable f(uint32_t task) (a lambda; not copied, no allocation).
  template <typename F>
  void run(uint32_t n_tasks, F &f) {
    run(n_tasks, [](void *context, uint32_t task) { (*static_cast<F *>(context))(task); }, &f);
  }

 private:
  explicit ThreadPool(uint32_t threads) : threads_(threads) {}
  void worker_loop();
  void work_on_current_region();

  const uint32_t threads_;
  ::pthreadpool *pthreadpool_ = nullptr;  // set: every region goes to it (and workers_ is empty)
  std::vector<std::thread> workers_;  // the built-in pool's threads_ - 1 workers, started in create()

  // The current region.
  ParallelTaskFn fn_ = nullptr;
  void *context_ = nullptr;
  uint32_t n_tasks_ = 0;
  std::atomic<uint32_t> next_task_{0};
  std::atomic<uint32_t> done_tasks_{0};
  std::atomic<uint64_t> region_{0};  // bumped to publish a region
  std::atomic<uint32_t> active_workers_{0};  // workers still inside the current region
  std::atomic<bool> stop_{false};

  // Sleeping after the spin.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint32_t> sleepers_{0};
};

// The implementation create() uses here: BALLAST_THREADPOOL if set, else
// pthreadpool when compiled in, else ballast. Error for an unknown value.
Result<const char *> thread_pool_implementation();

// Splits [0, total) into n_parts contiguous ranges of whole granules (counts
// of granules differ by at most one; only the last range may end in a partial
// granule) and returns part `part` as [*begin, *end).
void split_range(int64_t total, uint32_t n_parts, uint32_t part, int64_t granule, int64_t *begin, int64_t *end);

}  // namespace ballast
