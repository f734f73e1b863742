// Counts heap allocations (operator new in all forms, and malloc/calloc/
// realloc/aligned_alloc/posix_memalign outside sanitizer builds) made by any
// thread while a counting scope is open. Link `ballast_allocation_counter`
// into a test executable of its own: it replaces the global allocator.
//
//   AllocationCountScope scope;
//   run_thousand_decode_steps();
//   CHECK(scope.count() == 0);
#pragma once

#include <cstdint>

namespace ballast::testing {

// True when malloc & co. are interposed too (false under ASan, which owns them).
bool allocation_counter_sees_malloc();

class AllocationCountScope {
 public:
  AllocationCountScope();   // starts counting from zero
  ~AllocationCountScope();  // stops counting
  AllocationCountScope(const AllocationCountScope &) = delete;
  AllocationCountScope &operator=(const AllocationCountScope &) = delete;
  uint64_t count() const;   // allocations since construction
  uint64_t bytes() const;   // bytes requested since construction
};

}  // namespace ballast::testing
