// One anonymous, page-aligned memory region reserved at startup (the arena's
// backing store). Options: mlock it, back it with huge pages, and prefault it
// so later use never page-faults or fails lazily. RAII and move-only: the
// region is unmapped when the object dies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/status.h"

namespace ballast {

struct ReservationOptions {
  // mlock() the region (also faults it in). If the lock fails, reserve()
  // fails with a message naming RLIMIT_MEMLOCK and the byte counts ...
  bool lock = false;
  // ... unless this is set: then the region is returned unlocked and
  // MemoryReservation::lock_error() says why.
  bool lock_best_effort = false;
  // Try MAP_HUGETLB (needs preallocated hugetlbfs pages); otherwise align the
  // region to 2 MiB and madvise(MADV_HUGEPAGE) for transparent huge pages.
  bool huge_pages = false;
  // Write to every page now, so the memory is really committed. With lock or
  // prefault, a region larger than MemAvailable is refused up front
  // (out_of_memory with the missing bytes) rather than risking the OOM killer.
  bool prefault = false;
};

enum class HugePageState {
  not_requested,  // huge_pages was false
  hugetlb,        // MAP_HUGETLB succeeded: explicit huge pages
  transparent,    // MADV_HUGEPAGE accepted: the kernel may use transparent huge pages
  unavailable,    // requested, but neither worked (ordinary pages)
};

const char *huge_page_state_name(HugePageState state);

class MemoryReservation {
 public:
  // Errors: invalid_argument for 0 bytes; out_of_memory (message has the
  // requested byte count) when the region cannot be mapped, locked, or
  // prefaulted within available memory.
  static Result<MemoryReservation> reserve(size_t bytes, const ReservationOptions &options = ReservationOptions());

  MemoryReservation() = default;  // empty: data() == nullptr
  MemoryReservation(MemoryReservation &&other) noexcept;
  MemoryReservation &operator=(MemoryReservation &&other) noexcept;
  MemoryReservation(const MemoryReservation &) = delete;
  MemoryReservation &operator=(const MemoryReservation &) = delete;
  ~MemoryReservation();

  uint8_t *data() { return data_; }  // [size()] bytes, aligned to alignment()
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }                  // bytes requested
  size_t mapped_bytes() const { return mapped_bytes_; }  // size() rounded up to whole (huge) pages
  size_t alignment() const { return alignment_; }        // page size, or 2 MiB with huge pages
  bool locked() const { return locked_; }
  bool prefaulted() const { return prefaulted_; }
  HugePageState huge_pages() const { return huge_pages_; }
  const std::string &lock_error() const { return lock_error_; }  // non-empty if a best-effort lock failed

  // "67108864 bytes at 0x7f.. (align 4096, locked, prefaulted, huge pages: transparent)".
  std::string describe() const;

 private:
  void release();

  uint8_t *data_ = nullptr;
  size_t size_ = 0;
  uint8_t *mapping_ = nullptr;  // what to munmap: [mapping_, mapping_ + mapped_bytes_)
  size_t mapped_bytes_ = 0;
  size_t alignment_ = 0;
  bool locked_ = false;
  bool prefaulted_ = false;
  HugePageState huge_pages_ = HugePageState::not_requested;
  std::string lock_error_;
};

}  // namespace ballast
