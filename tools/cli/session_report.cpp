#include "tools/cli/session_report.h"

#include <cstdio>

#include "platform/memory_stats.h"

namespace ballast::cli {
namespace {
double per_second(uint64_t tokens, int64_t ns) { return ns > 0 ? tokens * 1e9 / static_cast<double>(ns) : 0.0; }
}  // namespace

void print_session_stats(const Session &session, int64_t load_ns) {
  const SessionStats &s = session.stats();
  Result<ProcessMemoryUsage> memory = read_process_memory_usage();
  std::fprintf(stderr,
               "\nstats: load %.0f ms | prefill %llu tok @ %.1f tok/s | decode %llu tok @ %.1f tok/s | arena %s | "
               "peak RSS %s | evictions %llu | cached %u/%u\n",
               load_ns / 1e6, static_cast<unsigned long long>(s.prefill_tokens), per_second(s.prefill_tokens, s.prefill_ns),
               static_cast<unsigned long long>(s.decode_tokens), per_second(s.decode_tokens, s.decode_ns),
               format_bytes(s.arena_bytes).c_str(),
               memory.is_ok() ? format_bytes(memory->peak_rss_bytes).c_str() : "?",
               static_cast<unsigned long long>(s.evictions), s.cached_tokens, session.cache().capacity());
}

void print_progress_line(const Session &session, uint64_t tokens, double seconds) {
  const SessionStats &s = session.stats();
  Result<ProcessMemoryUsage> memory = read_process_memory_usage();
  std::fprintf(stderr, "[progress] tokens %llu | %.1f tok/s | RSS %s | evictions %llu\n",
               static_cast<unsigned long long>(tokens), seconds > 0 ? tokens / seconds : 0.0,
               memory.is_ok() ? format_bytes(memory->rss_bytes).c_str() : "?",
               static_cast<unsigned long long>(s.evictions));
}

}  // namespace ballast::cli
