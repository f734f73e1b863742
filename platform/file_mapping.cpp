// Read-only whole-file mmap (see file_mapping.h).
#include "platform/file_mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace ballast {
namespace {

// Closes a file descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd &) = delete;
  ScopedFd &operator=(const ScopedFd &) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int madvise_flag(MappingAdvice advice) {
  switch (advice) {
    case MappingAdvice::normal: return MADV_NORMAL;
    case MappingAdvice::sequential: return MADV_SEQUENTIAL;
    case MappingAdvice::random: return MADV_RANDOM;
    case MappingAdvice::willneed: return MADV_WILLNEED;
    case MappingAdvice::no_huge_pages: return MADV_NOHUGEPAGE;
  }
  return MADV_NORMAL;
}

}  // namespace

const char *mapping_advice_name(MappingAdvice advice) {
  switch (advice) {
    case MappingAdvice::normal: return "normal";
    case MappingAdvice::sequential: return "sequential";
    case MappingAdvice::random: return "random";
    case MappingAdvice::willneed: return "willneed";
    case MappingAdvice::no_huge_pages: return "no_huge_pages";
  }
  return "unknown";
}

Result<FileMapping> FileMapping::open(const std::string &path) {
  // O_NONBLOCK: opening a FIFO must not hang waiting for a writer; it is
  // rejected below as a non-regular file. It has no effect on regular files.
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error = errno;
    return make_status(StatusCode::io_error, "cannot open '%s': %s", path.c_str(), std::strerror(error));
  }
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    return make_status(StatusCode::io_error, "cannot stat '%s': %s", path.c_str(), std::strerror(error));
  }
  if (S_ISDIR(info.st_mode)) {
    return make_status(StatusCode::invalid_argument, "'%s' is a directory, not a file", path.c_str());
  }
  if (!S_ISREG(info.st_mode)) {
    return make_status(StatusCode::invalid_argument, "'%s' is not a regular file (device, FIFO or socket)",
                       path.c_str());
  }
  if (info.st_size <= 0) {
    return make_status(StatusCode::invalid_argument, "'%s' is empty (0 bytes): nothing to map", path.c_str());
  }
  const uint64_t file_bytes = static_cast<uint64_t>(info.st_size);
  if (file_bytes > static_cast<uint64_t>(SIZE_MAX)) {
    return make_status(StatusCode::out_of_range, "'%s' is %llu bytes, more than this process can map",
                       path.c_str(), static_cast<unsigned long long>(file_bytes));
  }
  const size_t size = static_cast<size_t>(file_bytes);
  void *address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (address == MAP_FAILED) {
    const int error = errno;
    return make_status(StatusCode::io_error, "cannot map '%s' (%zu bytes): %s", path.c_str(), size,
                       std::strerror(error));
  }
  // The mapping stays valid after the descriptor is closed.
  return FileMapping(static_cast<const uint8_t *>(address), size, path);
}

FileMapping::FileMapping(FileMapping &&other) noexcept
    : data_(other.data_), size_(other.size_), path_(std::move(other.path_)) {
  other.data_ = nullptr;
  other.size_ = 0;
}

FileMapping &FileMapping::operator=(FileMapping &&other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    path_ = std::move(other.path_);
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

FileMapping::~FileMapping() { release(); }

void FileMapping::release() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t *>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

Status FileMapping::advise(MappingAdvice advice) const {
  if (data_ == nullptr) return make_status(StatusCode::invalid_argument, "advise() on a FileMapping that is not open");
  if (::madvise(const_cast<uint8_t *>(data_), size_, madvise_flag(advice)) != 0) {
    const int error = errno;
    return make_status(StatusCode::io_error, "madvise(%s) on '%s' failed: %s", mapping_advice_name(advice),
                       path_.c_str(), std::strerror(error));
  }
  return Status::ok();
}

void drop_mapped_pages(const void *data, size_t bytes) {
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (data == nullptr || page_size <= 0) return;
  const uintptr_t page = static_cast<uintptr_t>(page_size);
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace ballast
