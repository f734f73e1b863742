// /proc/self/status and /proc/meminfo readers: real values are plausible,
// the parsers handle real-looking and broken text.
#include <doctest/doctest.h>

#include <string>

#include "platform/memory_stats.h"

using namespace ballast;

TEST_CASE("process RSS and system memory read from /proc are plausible") {
  Result<ProcessMemoryUsage> usage = read_process_memory_usage();
  REQUIRE_MESSAGE(usage.is_ok(), usage.status().to_string());
  Result<SystemMemory> memory = read_system_memory();
  REQUIRE_MESSAGE(memory.is_ok(), memory.status().to_string());

  CHECK(usage->rss_bytes > 512 * 1024);  // a C++ test binary with libc mapped
  CHECK(usage->rss_bytes % 1024 == 0);
  CHECK(usage->peak_rss_bytes >= usage->rss_bytes);
  CHECK(memory->total_bytes > 64ull * 1024 * 1024);
  CHECK(memory->available_bytes > 0);
  CHECK(memory->available_bytes <= memory->total_bytes);
  CHECK(usage->rss_bytes < memory->total_bytes);
}

TEST_CASE("parse_process_memory_usage reads VmRSS and VmHWM in kB") {
  const std::string status =
      "Name:\tballast\nVmPeak:\t  999999 kB\nVmHWM:\t    8000 kB\nVmRSS:\t    7168 kB\nRssAnon:\t 100 kB\n";
  Result<ProcessMemoryUsage> usage = parse_process_memory_usage(status);
  REQUIRE(usage.is_ok());
  CHECK(usage->rss_bytes == 7168ull * 1024);
  CHECK(usage->peak_rss_bytes == 8000ull * 1024);

  // A key that is only a prefix of another must not match (VmRSS vs VmRSSx).
  Result<ProcessMemoryUsage> prefix = parse_process_memory_usage("VmRSSx: 5 kB\nVmHWM: 6 kB\n");
  REQUIRE_FALSE(prefix.is_ok());
  CHECK(prefix.status().code() == StatusCode::corrupt_file);
  CHECK(prefix.status().message().find("VmRSS") != std::string::npos);
}

TEST_CASE("parse_process_memory_usage rejects missing, non-numeric and overflowing fields") {
  CHECK_FALSE(parse_process_memory_usage("").is_ok());
  CHECK_FALSE(parse_process_memory_usage("VmRSS: 12 kB\n").is_ok());               // no VmHWM
  CHECK_FALSE(parse_process_memory_usage("VmRSS: abc kB\nVmHWM: 1 kB\n").is_ok());  // not a number
  CHECK_FALSE(parse_process_memory_usage("VmRSS: 12 MB\nVmHWM: 1 kB\n").is_ok());   // wrong unit
  CHECK_FALSE(parse_process_memory_usage("VmRSS: 99999999999999999999999 kB\nVmHWM: 1 kB\n").is_ok());
  CHECK_FALSE(parse_process_memory_usage("VmRSS: 18014398509481984 kB\nVmHWM: 1 kB\n").is_ok());  // *1024 overflows
  CHECK(parse_process_memory_usage("VmRSS: 12 kB\nVmHWM: 1 kB").is_ok());  // no trailing newline
}

TEST_CASE("parse_system_memory reads MemTotal and MemAvailable") {
  const std::string meminfo =
      "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nBuffers: 1 kB\n";
  Result<SystemMemory> memory = parse_system_memory(meminfo);
  REQUIRE(memory.is_ok());
  CHECK(memory->total_bytes == 24576000ull * 1024);
  CHECK(memory->available_bytes == 20000000ull * 1024);

  Result<SystemMemory> old_kernel = parse_system_memory("MemTotal: 100 kB\nMemFree: 50 kB\n");
  REQUIRE_FALSE(old_kernel.is_ok());
  CHECK(old_kernel.status().message().find("MemAvailable") != std::string::npos);
}
