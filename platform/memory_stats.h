// Process and machine memory figures for the CLI's stats line and the
// flat-RSS tests: current/peak resident set (VmRSS/VmHWM from
// /proc/self/status) and total/available physical memory (/proc/meminfo,
// sysinfo() fallback). The readers use a stack buffer and allocate nothing
// on success, so they may be called between decode steps of an
// allocation-counting test.
#pragma once

#include <cstdint>
#include <string_view>

#include "platform/status.h"

namespace ballast {

struct ProcessMemoryUsage {
  uint64_t rss_bytes = 0;       // VmRSS: resident now
  uint64_t peak_rss_bytes = 0;  // VmHWM: highest resident so far
};

struct SystemMemory {
  uint64_t total_bytes = 0;      // MemTotal
  uint64_t available_bytes = 0;  // MemAvailable (free + reclaimable), or free+buffers from sysinfo()
};

// Reads /proc/self/status. io_error if unreadable, corrupt_file if the fields are missing.
Result<ProcessMemoryUsage> read_process_memory_usage();

// Reads /proc/meminfo; falls back to sysinfo() when it is missing or lacks MemAvailable.
Result<SystemMemory> read_system_memory();

// Pure parsers of the two files' text ("VmRSS:\t  1234 kB" lines), exposed for tests.
Result<ProcessMemoryUsage> parse_process_memory_usage(std::string_view status_text);
Result<SystemMemory> parse_system_memory(std::string_view meminfo_text);

}  // namespace ballast
