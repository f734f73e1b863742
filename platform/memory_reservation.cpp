// Anonymous mmap reservation with optional mlock / huge pages / prefault (see memory_reservation.h).
#include "platform/memory_reservation.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "platform/memory_stats.h"

namespace ballast {
namespace {

constexpr size_t kHugePageBytes = size_t{2} * 1024 * 1024;  // the x86_64/aarch64 PMD huge page

size_t page_bytes() {
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<size_t>(page) : 4096;
}

size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

std::string errno_text(int error) { return std::strerror(error); }

bool advise_transparent_huge_pages(uint8_t *address, size_t bytes) {
#if defined(MADV_HUGEPAGE)
  return ::madvise(address, bytes, MADV_HUGEPAGE) == 0;
#else
  (void)address;
  (void)bytes;
  return false;
#endif
}

// A plain anonymous read/write mapping, or nullptr (errno set).
uint8_t *map_anonymous(size_t bytes, int extra_flags) {
  void *address = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
  return address == MAP_FAILED ? nullptr : static_cast<uint8_t *>(address);
}

// Maps `bytes` (a multiple of `alignment`) at an `alignment`-aligned address
// by over-mapping and trimming the ends. nullptr (errno set) on failure.
uint8_t *map_aligned(size_t bytes, size_t alignment) {
  const size_t padded = bytes + alignment;
  uint8_t *raw = map_anonymous(padded, 0);
  if (raw == nullptr) return nullptr;
  const uintptr_t raw_address = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned_address = (raw_address + alignment - 1) / alignment * alignment;
  uint8_t *aligned = reinterpret_cast<uint8_t *>(aligned_address);
  const size_t head = aligned_address - raw_address;
  const size_t tail = padded - head - bytes;
  if (head > 0) ::munmap(raw, head);
  if (tail > 0) ::munmap(aligned + bytes, tail);
  return aligned;
}

std::string memlock_limit_text() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_MEMLOCK, &limit) != 0) return "unknown";
  if (limit.rlim_cur == RLIM_INFINITY) return "unlimited";
  return std::to_string(static_cast<unsigned long long>(limit.rlim_cur)) + " bytes";
}

// Refuses to commit more than the machine has available (an OOM kill later
// would be worse than a clear error now).
Status check_fits_in_available_memory(size_t bytes) {
  Result<SystemMemory> memory = read_system_memory();
  if (!memory.is_ok()) return Status::ok();  // cannot tell: let the kernel decide
  const uint64_t available = memory->available_bytes;
  if (static_cast<uint64_t>(bytes) <= available) return Status::ok();
  return make_status(StatusCode::out_of_memory,
                     "cannot commit %zu bytes: only %" PRIu64 " bytes of memory are available (missing %" PRIu64
                     " bytes)",
                     bytes, available, static_cast<uint64_t>(bytes) - available);
}

}  // namespace

const char *huge_page_state_name(HugePageState state) {
  switch (state) {
    case HugePageState::not_requested: return "not requested";
    case HugePageState::hugetlb: return "hugetlb";
    case HugePageState::transparent: return "transparent";
    case HugePageState::unavailable: return "unavailable";
  }
  return "unknown";
}

Result<MemoryReservation> MemoryReservation::reserve(size_t bytes, const ReservationOptions &options) {
  if (bytes == 0) return make_status(StatusCode::invalid_argument, "cannot reserve 0 bytes");
  const size_t page = page_bytes();
  const size_t granule = options.huge_pages ? kHugePageBytes : page;
  // Room for rounding up plus the over-mapping used to align.
  if (bytes > SIZE_MAX - 2 * granule) {
    return make_status(StatusCode::out_of_memory, "cannot reserve %zu bytes: larger than the address space", bytes);
  }
  if (options.lock || options.prefault) BALLAST_RETURN_IF_ERROR(check_fits_in_available_memory(bytes));

  MemoryReservation reservation;
  reservation.size_ = bytes;
  if (options.huge_pages) {
    reservation.mapped_bytes_ = round_up(bytes, kHugePageBytes);
    reservation.alignment_ = kHugePageBytes;
    reservation.mapping_ = map_anonymous(reservation.mapped_bytes_, MAP_HUGETLB);
    if (reservation.mapping_ != nullptr) {
      reservation.huge_pages_ = HugePageState::hugetlb;
    } else {
      reservation.mapping_ = map_aligned(reservation.mapped_bytes_, kHugePageBytes);
      if (reservation.mapping_ != nullptr) {
        reservation.huge_pages_ = advise_transparent_huge_pages(reservation.mapping_, reservation.mapped_bytes_)
                                      ? HugePageState::transparent
                                      : HugePageState::unavailable;
      }
    }
  } else {
    reservation.mapped_bytes_ = round_up(bytes, page);
    reservation.alignment_ = page;
    reservation.mapping_ = map_anonymous(reservation.mapped_bytes_, 0);
  }
  if (reservation.mapping_ == nullptr) {
    const int error = errno;
    const size_t mapped = reservation.mapped_bytes_;
    reservation.mapped_bytes_ = 0;  // nothing to unmap
    return make_status(StatusCode::out_of_memory, "cannot reserve %zu bytes (%zu mapped): mmap failed: %s", bytes,
                       mapped, errno_text(error).c_str());
  }
  reservation.data_ = reservation.mapping_;

  if (options.lock) {
    if (::mlock(reservation.mapping_, reservation.mapped_bytes_) == 0) {
      reservation.locked_ = true;
    } else {
      const int error = errno;
      char message[512];
      std::snprintf(message, sizeof(message),
                    "mlock of %zu bytes failed (%s): RLIMIT_MEMLOCK is %s; raise it (ulimit -l, limits.conf "
                    "memlock, or CAP_IPC_LOCK) or use lock_best_effort",
                    reservation.mapped_bytes_, errno_text(error).c_str(), memlock_limit_text().c_str());
      if (!options.lock_best_effort) return Status(StatusCode::out_of_memory, message);
      reservation.lock_error_ = message;
    }
  }

  if (options.prefault) {
    // One write per page commits it (a read would only map the shared zero page).
    volatile uint8_t *bytes_view = reservation.mapping_;
    for (size_t offset = 0; offset < reservation.mapped_bytes_; offset += page) bytes_view[offset] = 0;
    reservation.prefaulted_ = true;
  }
  return reservation;
}

MemoryReservation::MemoryReservation(MemoryReservation &&other) noexcept
    : data_(other.data_),
      size_(other.size_),
      mapping_(other.mapping_),
      mapped_bytes_(other.mapped_bytes_),
      alignment_(other.alignment_),
      locked_(other.locked_),
      prefaulted_(other.prefaulted_),
      huge_pages_(other.huge_pages_),
      lock_error_(std::move(other.lock_error_)) {
  other.data_ = nullptr;
  other.mapping_ = nullptr;
  other.size_ = 0;
  other.mapped_bytes_ = 0;
  other.locked_ = false;
  other.prefaulted_ = false;
}

MemoryReservation &MemoryReservation::operator=(MemoryReservation &&other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    mapping_ = other.mapping_;
    mapped_bytes_ = other.mapped_bytes_;
    alignment_ = other.alignment_;
    locked_ = other.locked_;
    prefaulted_ = other.prefaulted_;
    huge_pages_ = other.huge_pages_;
    lock_error_ = std::move(other.lock_error_);
    other.data_ = nullptr;
    other.mapping_ = nullptr;
    other.size_ = 0;
    other.mapped_bytes_ = 0;
    other.locked_ = false;
    other.prefaulted_ = false;
  }
  return *this;
}

MemoryReservation::~MemoryReservation() { release(); }

void MemoryReservation::release() {
  // munmap also drops any mlock on the range.
  if (mapping_ != nullptr && mapped_bytes_ > 0) ::munmap(mapping_, mapped_bytes_);
  data_ = nullptr;
  mapping_ = nullptr;
  size_ = 0;
  mapped_bytes_ = 0;
  locked_ = false;
  prefaulted_ = false;
}

std::string MemoryReservation::describe() const {
  if (data_ == nullptr) return "no reservation";
  char text[256];
  std::snprintf(text, sizeof(text), "%zu bytes at %p (align %zu%s%s, huge pages: %s)", size_,
                static_cast<const void *>(data_), alignment_, locked_ ? ", locked" : "",
                prefaulted_ ? ", prefaulted" : "", huge_page_state_name(huge_pages_));
  return text;
}

}  // namespace ballast
