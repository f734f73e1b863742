#include "tests/support/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define BALLAST_COUNTER_HOOKS_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BALLAST_COUNTER_HOOKS_MALLOC 0
#endif
#endif
#ifndef BALLAST_COUNTER_HOOKS_MALLOC
#define BALLAST_COUNTER_HOOKS_MALLOC 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_count{0};
std::atomic<uint64_t> g_bytes{0};

inline void note_allocation(size_t bytes) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_count.fetch_add(1, std::memory_order_relaxed);
    g_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
}
}  // namespace

namespace ballast::testing {

bool allocation_counter_sees_malloc() { return BALLAST_COUNTER_HOOKS_MALLOC != 0; }

AllocationCountScope::AllocationCountScope() {
  g_count.store(0);
  g_bytes.store(0);
  g_counting.store(true);
}
AllocationCountScope::~AllocationCountScope() { g_counting.store(false); }
uint64_t AllocationCountScope::count() const { return g_count.load(); }
uint64_t AllocationCountScope::bytes() const { return g_bytes.load(); }

}  // namespace ballast::testing

#if BALLAST_COUNTER_HOOKS_MALLOC
// glibc exports its real allocator under these names.
extern "C" {
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);

void *malloc(size_t size) {
  note_allocation(size);
  return __libc_malloc(size);
}
void *calloc(size_t n, size_t size) {
  note_allocation(n * size);
  return __libc_calloc(n, size);
}
void *realloc(void *p, size_t size) {
  note_allocation(size);
  return __libc_realloc(p, size);
}
void *aligned_alloc(size_t alignment, size_t size) {
  note_allocation(size);
  return __libc_memalign(alignment, size);
}
int posix_memalign(void **out, size_t alignment, size_t size) {
  note_allocation(size);
  void *p = __libc_memalign(alignment, size);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void free(void *p) { __libc_free(p); }
}
#define BALLAST_RAW_ALLOC(size) __libc_malloc(size)
#define BALLAST_RAW_ALIGNED(al, size) __libc_memalign(al, size)
#define BALLAST_RAW_FREE(p) __libc_free(p)
#else
#define BALLAST_RAW_ALLOC(size) std::malloc(size)
#define BALLAST_RAW_ALIGNED(al, size) std::aligned_alloc(al, ((size) + (al)-1) / (al) * (al))
#define BALLAST_RAW_FREE(p) std::free(p)
#endif

namespace {
void *counted_new(size_t size) {
  note_allocation(size);
  void *p = BALLAST_RAW_ALLOC(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void *counted_new_aligned(size_t size, std::align_val_t al) {
  note_allocation(size);
  void *p = BALLAST_RAW_ALIGNED(static_cast<size_t>(al), size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void *operator new(size_t size) { return counted_new(size); }
void *operator new[](size_t size) { return counted_new(size); }
void *operator new(size_t size, const std::nothrow_t &) noexcept {
  note_allocation(size);
  return BALLAST_RAW_ALLOC(size == 0 ? 1 : size);
}
void *operator new[](size_t size, const std::nothrow_t &) noexcept {
  note_allocation(size);
  return BALLAST_RAW_ALLOC(size == 0 ? 1 : size);
}
void *operator new(size_t size, std::align_val_t al) { return counted_new_aligned(size, al); }
void *operator new[](size_t size, std::align_val_t al) { return counted_new_aligned(size, al); }
void operator delete(void *p) noexcept { BALLAST_RAW_FREE(p); }
void operator delete[](void *p) noexcept { BALLAST_RAW_FREE(p); }
void operator delete(void *p, size_t) noexcept { BALLAST_RAW_FREE(p); }
void operator delete[](void *p, size_t) noexcept { BALLAST_RAW_FREE(p); }
void operator delete(void *p, std::align_val_t) noexcept { BALLAST_RAW_FREE(p); }
void operator delete[](void *p, std::align_val_t) noexcept { BALLAST_RAW_FREE(p); }
void operator delete(void *p, size_t, std::align_val_t) noexcept { BALLAST_RAW_FREE(p); }
void operator delete[](void *p, size_t, std::align_val_t) noexcept { BALLAST_RAW_FREE(p); }
