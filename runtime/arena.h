// The fixed arena: one caller-owned block of bytes (reserved once at startup)
// handed out by aligned bump allocation. It never grows, never frees
// individual blocks and never calls malloc; when a request does not fit the
// error says requested / available / missing bytes (TFLM-style).
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/status.h"
#include "runtime/memory_plan.h"

namespace ballast {

class Arena {
 public:
  Arena() = default;
  // `base` must be aligned to kArenaAlignment; the arena does not own it.
  Arena(uint8_t *base, size_t capacity) : base_(base), capacity_(capacity) {}

  // Aligned block of `bytes`; `what` names the request in errors.
  Result<void *> allocate(size_t bytes, size_t alignment, const char *what);

  template <typename T>
  Result<T *> allocate_array(size_t count, const char *what) {
    if (count != 0 && count > SIZE_MAX / sizeof(T)) {
      return make_status(StatusCode::invalid_argument, "arena request '%s' of %zu elements overflows", what, count);
    }
    BALLAST_ASSIGN_OR_RETURN(void *p, allocate(count * sizeof(T), alignof(T) > kArenaAlignment ? alignof(T) : kArenaAlignment, what));
    return static_cast<T *>(p);
  }

  size_t capacity() const { return capacity_; }
  size_t used() const { return used_; }
  size_t remaining() const { return capacity_ - used_; }
  // Forget every allocation (the caller guarantees nothing still uses them).
  void reset() { used_ = 0; }

 private:
  uint8_t *base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
};

// The regions of a MemoryPlan carved from an arena, by name.
struct ArenaRegion {
  const char *name = nullptr;
  uint8_t *data = nullptr;
  uint64_t bytes = 0;
};

// Checks that `arena` can hold `plan` and returns the carved regions' start
// addresses in plan order (`out` must have room for plan.regions.size()).
Status carve_plan(Arena &arena, const MemoryPlan &plan, ArenaRegion *out, size_t out_capacity);

}  // namespace ballast
