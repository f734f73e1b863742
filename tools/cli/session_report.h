// Stats lines the session-running subcommands print on stderr.
#pragma once

#include <cstdint>

#include "runtime/engine/session.h"

namespace ballast::cli {

// "load 12 ms | prefill 9 tok @ 812.1 tok/s | decode 100 tok @ 95.3 tok/s |
//  arena 1.23 MiB | peak RSS 45.6 MiB | evictions 0 | cached 109/2048"
void print_session_stats(const Session &session, int64_t load_ns);

// One progress line for endless runs: tokens, tokens/s, RSS, evictions.
void print_progress_line(const Session &session, uint64_t tokens, double seconds);

}  // namespace ballast::cli
