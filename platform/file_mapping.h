// Read-only memory mapping of a whole file (model weights are used in place
// from it). RAII and move-only: the mapping is released when the object dies.
// Opening fails with a clear Status for a missing file, a directory or other
// non-regular file, an empty file, or a permission problem; it never crashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "platform/status.h"

namespace ballast {

// madvise() hints for the whole mapping.
enum class MappingAdvice {
  normal,      // MADV_NORMAL: default readahead
  sequential,  // MADV_SEQUENTIAL: aggressive readahead, drop behind
  random,      // MADV_RANDOM: no readahead (sparse tensor lookups)
  willneed,    // MADV_WILLNEED: start reading the whole file into the page cache now
  no_huge_pages,  // MADV_NOHUGEPAGE: map 4 KiB pages only (a scattered read does not
                  // map a whole 2 MiB page-cache folio into RSS)
};

class FileMapping {
 public:
  // Maps `path` read-only (PROT_READ, MAP_PRIVATE). Errors:
  //   io_error          file missing, permission denied, mmap failure (message has errno text)
  //   invalid_argument  a directory or other non-regular file, or an empty file
  //   out_of_range      larger than this process can address (32-bit builds)
  static Result<FileMapping> open(const std::string &path);

  FileMapping() = default;  // empty: data() == nullptr, size() == 0
  FileMapping(FileMapping &&other) noexcept;
  FileMapping &operator=(FileMapping &&other) noexcept;
  FileMapping(const FileMapping &) = delete;
  FileMapping &operator=(const FileMapping &) = delete;
  ~FileMapping();

  bool is_open() const { return data_ != nullptr; }
  const uint8_t *data() const { return data_; }  // [size()] bytes, page aligned
  size_t size() const { return size_; }           // bytes, > 0 when open
  const std::string &path() const { return path_; }

  // Applies a madvise() hint to the whole mapping. Hints are advisory: an
  // error here (io_error) never invalidates the mapping.
  Status advise(MappingAdvice advice) const;

 private:
  FileMapping(const uint8_t *data, size_t size, std::string path)
      : data_(data), size_(size), path_(std::move(path)) {}
  void release();

  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

const char *mapping_advice_name(MappingAdvice advice);

// Drops this process's resident pages of [data, data + bytes) inside a
// read-only file mapping (MADV_DONTNEED on the whole pages in the range), so
// they stop counting in RSS; a later read faults them back in from the file.
// Used after weights were copied into a repacked layout. Advisory: failures
// are ignored.
void drop_mapped_pages(const void *data, size_t bytes);

}  // namespace ballast
