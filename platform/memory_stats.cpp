// /proc readers for process RSS and machine memory (see memory_stats.h).
#include "platform/memory_stats.h"

#include <fcntl.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ballast {
namespace {

// Bytes of a /proc file read at once; both files are ~1.5 KiB today.
constexpr size_t kProcFileBufferBytes = 16 * 1024;

// Reads the whole (small) file into `buffer`; returns the byte count or -errno.
long read_small_file(const char *path, char *buffer, size_t capacity) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t used = 0;
  while (used < capacity) {
    const ssize_t got = ::read(fd, buffer + used, capacity - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return -error;
    }
    if (got == 0) break;
    used += static_cast<size_t>(got);
  }
  ::close(fd);
  return static_cast<long>(used);
}

// Finds the line "<key>: <number> kB" and returns the number in bytes.
bool find_kib_field(std::string_view text, std::string_view key, uint64_t *bytes) {
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') continue;

    size_t pos = key.size() + 1;
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos >= line.size() || line[pos] < '0' || line[pos] > '9') return false;
    uint64_t value = 0;
    while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9') {
      const uint64_t digit = static_cast<uint64_t>(line[pos] - '0');
      if (value > (UINT64_MAX - digit) / 10) return false;  // overflow
      value = value * 10 + digit;
      ++pos;
    }
    while (pos < line.size() && line[pos] == ' ') ++pos;
    const std::string_view unit = line.substr(pos);
    if (unit != "kB") return false;
    if (value > UINT64_MAX / 1024) return false;
    *bytes = value * 1024;
    return true;
  }
  return false;
}

}  // namespace

Result<ProcessMemoryUsage> parse_process_memory_usage(std::string_view status_text) {
  ProcessMemoryUsage usage;
  if (!find_kib_field(status_text, "VmRSS", &usage.rss_bytes)) {
    return make_status(StatusCode::corrupt_file, "/proc/self/status has no readable 'VmRSS: <n> kB' line");
  }
  if (!find_kib_field(status_text, "VmHWM", &usage.peak_rss_bytes)) {
    return make_status(StatusCode::corrupt_file, "/proc/self/status has no readable 'VmHWM: <n> kB' line");
  }
  return usage;
}

Result<SystemMemory> parse_system_memory(std::string_view meminfo_text) {
  SystemMemory memory;
  if (!find_kib_field(meminfo_text, "MemTotal", &memory.total_bytes)) {
    return make_status(StatusCode::corrupt_file, "/proc/meminfo has no readable 'MemTotal: <n> kB' line");
  }
  if (!find_kib_field(meminfo_text, "MemAvailable", &memory.available_bytes)) {
    return make_status(StatusCode::corrupt_file, "/proc/meminfo has no readable 'MemAvailable: <n> kB' line");
  }
  return memory;
}

Result<ProcessMemoryUsage> read_process_memory_usage() {
  char buffer[kProcFileBufferBytes];
  const long length = read_small_file("/proc/self/status", buffer, sizeof(buffer));
  if (length < 0) {
    return make_status(StatusCode::io_error, "cannot read /proc/self/status: %s",
                       std::strerror(static_cast<int>(-length)));
  }
  return parse_process_memory_usage(std::string_view(buffer, static_cast<size_t>(length)));
}

Result<SystemMemory> read_system_memory() {
  char buffer[kProcFileBufferBytes];
  const long length = read_small_file("/proc/meminfo", buffer, sizeof(buffer));
  if (length > 0) {
    Result<SystemMemory> parsed = parse_system_memory(std::string_view(buffer, static_cast<size_t>(length)));
    if (parsed.is_ok()) return parsed;
  }
  struct sysinfo info;
  if (::sysinfo(&info) != 0) {
    const int error = errno;
    return make_status(StatusCode::io_error, "neither /proc/meminfo nor sysinfo() is readable: %s",
                       std::strerror(error));
  }
  SystemMemory memory;
  const uint64_t unit = info.mem_unit == 0 ? 1 : info.mem_unit;
  memory.total_bytes = static_cast<uint64_t>(info.totalram) * unit;
  memory.available_bytes = (static_cast<uint64_t>(info.freeram) + static_cast<uint64_t>(info.bufferram)) * unit;
  return memory;
}

}  // namespace ballast
