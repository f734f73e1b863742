#include "runtime/arena.h"

namespace ballast {

Result<void *> Arena::allocate(size_t bytes, size_t alignment, const char *what) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return make_status(StatusCode::invalid_argument, "arena request '%s': alignment %zu is not a power of two", what, alignment);
  }
  const uintptr_t start = reinterpret_cast<uintptr_t>(base_) + used_;
  const size_t padding = static_cast<size_t>((alignment - start % alignment) % alignment);
  const size_t available = remaining();
  if (padding > available || bytes > available - padding) {
    const size_t needed = padding + bytes;
    return make_status(StatusCode::out_of_memory,
                       "arena request '%s': requested %zu bytes (+%zu alignment), available %zu, missing %zu", what,
                       bytes, padding, available, needed > available ? needed - available : 0);
  }
  used_ += padding + bytes;
  return static_cast<void *>(base_ + (start + padding - reinterpret_cast<uintptr_t>(base_)));
}

Status carve_plan(Arena &arena, const MemoryPlan &plan, ArenaRegion *out, size_t out_capacity) {
  if (out_capacity < plan.regions.size()) {
    return make_status(StatusCode::invalid_argument, "carve_plan: room for %zu regions, plan has %zu", out_capacity,
                       plan.regions.size());
  }
  if (arena.remaining() < plan.total_bytes) {
    return make_status(StatusCode::out_of_memory, "memory plan needs %llu bytes, arena has %zu, missing %llu",
                       static_cast<unsigned long long>(plan.total_bytes), arena.remaining(),
                       static_cast<unsigned long long>(plan.total_bytes - arena.remaining()));
  }
  for (size_t i = 0; i < plan.regions.size(); ++i) {
    const PlanRegion &r = plan.regions[i];
    BALLAST_ASSIGN_OR_RETURN(void *p, arena.allocate(r.bytes, kArenaAlignment, r.name.c_str()));
    out[i] = ArenaRegion{r.name.c_str(), static_cast<uint8_t *>(p), r.bytes};
  }
  return Status::ok();
}

}  // namespace ballast
