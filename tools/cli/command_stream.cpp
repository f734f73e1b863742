// `ballast stream -m MODEL [--input FILE|-|FIFO]`: the main job. Reads a live
// transcript (plain or whisper.cpp-timestamped lines), feeds it through the
// sink + window cache, and writes a summary every N tokens / T seconds / on
// SIGUSR1 / on a "#summary" line, as text or JSON lines. With --state FILE
// it checkpoints atomically every K tokens and resumes from the file on
// restart. SIGINT/SIGTERM stop cleanly with a final summary and checkpoint.
// See docs/STREAM.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "platform/memory_stats.h"
#include "platform/monotonic_clock.h"
#include "runtime/engine/model.h"
#include <malloc.h>

#include "runtime/stream/input_queue.h"
#include "runtime/stream/latency_window.h"
#include "runtime/stream/line_reader.h"
#include "runtime/stream/stream_driver.h"
#include "runtime/stream/summary_output.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/session_options.h"

namespace ballast::cli {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;
volatile std::sig_atomic_t g_summary_requested = 0;
void request_stop(int) { g_stop_requested = 1; }
void request_summary(int) { g_summary_requested = 1; }

void install_handler(int signal_number, void (*handler)(int)) {
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: poll/sleep return early so the loop sees the flag
  sigaction(signal_number, &action, nullptr);
}

int fail(const char *what, const Status &status) {
  std::fprintf(stderr, "ballast stream: %s%s\n", what, status.to_string().c_str());
  return 1;
}

uint32_t count_words(const char *text, size_t n) {
  uint32_t words = 0;
  bool in_word = false;
  for (size_t i = 0; i < n; ++i) {
    const bool space = text[i] == ' ';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// Sleeps `seconds`, returning early when a signal arrives.
void paced_sleep(double seconds) {
  if (seconds <= 0) return;
  timespec ts;
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
  nanosleep(&ts, nullptr);
}

struct StreamLoop {
  StreamDriver *driver = nullptr;
  SummaryFormat format = SummaryFormat::text;
  std::vector<char> out;  // [summary record bytes]
  int64_t start_ns = 0;
  int64_t last_summary_ns = 0;
  const InputQueue *queue = nullptr;
  bool checkpointing = false;

  Status summary() {
    BALLAST_RETURN_IF_ERROR(driver->summarize());
    const StreamCounters &c = driver->counters();
    SummaryRecord record;
    record.elapsed_s = static_cast<double>(monotonic_now_ns() - start_ns) / 1e9;
    record.t = c.transcript_seconds >= 0 ? c.transcript_seconds : record.elapsed_s;
    record.tokens_seen = c.transcript_tokens;
    record.summary_index = c.summaries - 1;
    record.dropped_lines = queue->counters().dropped_lines;
    record.summary = driver->summary_text();
    const size_t n = format_summary(format, record, out.data(), out.size());
    std::fwrite(out.data(), 1, n, stdout);
    std::fflush(stdout);
    last_summary_ns = monotonic_now_ns();
    return Status::ok();
  }
};

}  // namespace

int run_stream(int argc, char **argv) {
  std::string model_path, input_path = "-", format_name = "text", state_path, queue_policy_name_arg, instruction;
  int64_t every_tokens = 256, checkpoint_every = 512, summary_tokens = 48, memory_tokens = 64;
  int64_t queue_lines = 64, max_line_bytes = 4096, stop_after_tokens = 0, stats_every = 0;
  std::string every_seconds_text = "0", pace_text = "0";
  bool follow = false, echo_input = false, no_chat_template = false;
  SessionOptions options;
  options.window = 1020;
  options.temperature = "0";
  ArgParser parser("stream",
                   "Summarise a live transcript continuously in fixed memory (see docs/STREAM.md).\n"
                   "Input lines: plain text or whisper.cpp '[00:01:02.000 --> 00:01:05.000]  text'.\n"
                   "A summary is written every --every-tokens tokens, every --every-seconds seconds,\n"
                   "on SIGUSR1, on an input line '#summary', and at the end of the input.\n"
                   "SIGINT/SIGTERM: clean stop with a final summary and checkpoint.");
  parser.add_string("--model", "-m", &model_path, "GGUF model file (required)");
  parser.add_string("--input", "-i", &input_path, "transcript: a file, a FIFO, or - for stdin");
  parser.add_flag("--follow", &follow, "at the end of a regular file keep waiting for more lines (like tail -f)");
  parser.add_int("--every-tokens", "", &every_tokens, 0, INT64_MAX, "summary every N transcript tokens; 0 = off");
  parser.add_string("--every-seconds", "", &every_seconds_text, "summary every T seconds of wall time; 0 = off");
  parser.add_string("--format", "", &format_name, "output: text | jsonl");
  parser.add_string("--state", "", &state_path, "checkpoint file: resumed from if it exists, written atomically");
  parser.add_int("--checkpoint-every", "", &checkpoint_every, 1, INT64_MAX, "checkpoint every K transcript tokens");
  parser.add_int("--summary-tokens", "", &summary_tokens, 1, 4096, "most tokens a summary has");
  parser.add_int("--memory-tokens", "", &memory_tokens, 0, 4096,
                 "tokens of the latest summary re-fed into the window as rolling memory");
  parser.add_string("--instruction", "", &instruction, "what to ask a chat model for (default: a 1-2 sentence summary)");
  parser.add_flag("--no-chat-template", &no_chat_template, "use the plain template even if the model has a chat template");
  parser.add_string("--queue-policy", "", &queue_policy_name_arg,
                    "when input outpaces the model: block | drop-oldest (default: block for regular files, "
                    "drop-oldest for pipes, FIFOs and terminals)");
  parser.add_int("--queue-lines", "", &queue_lines, 1, 1 << 20, "input queue slots (lines)");
  parser.add_int("--max-line-bytes", "", &max_line_bytes, 16, 1 << 24, "longer input lines are split into pieces");
  parser.add_string("--pace-wps", "", &pace_text, "feed at most this many words per second (demo pacing); 0 = off");
  parser.add_flag("--echo-input", &echo_input, "print each input line as it is fed (text format: '  > line')");
  parser.add_int("--stop-after-tokens", "", &stop_after_tokens, 0, INT64_MAX,
                 "stop after this many transcript tokens (benchmarks, tests); 0 = never");
  parser.add_int("--stats-every", "", &stats_every, 0, INT64_MAX,
                 "every N transcript tokens print a stats JSON line on stderr (tokens, tok/s, RSS, heap in use, "
                 "per-token feed latency p50/p99, wall and CPU time, over the last 4096 lines); 0 = off");
  options.declare_cache(parser);
  options.declare_sampling(parser);
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty()) {
    std::fprintf(stderr, "ballast stream: --model is required\n\n%s", parser.help().c_str());
    return 2;
  }
  SummaryFormat format;
  if (format_name == "text") format = SummaryFormat::text;
  else if (format_name == "jsonl") format = SummaryFormat::jsonl;
  else {
    std::fprintf(stderr, "ballast stream: --format must be text or jsonl, got '%s'\n", format_name.c_str());
    return 2;
  }
  Result<float> every_seconds = parse_float_option("--every-seconds", every_seconds_text, 0, 1e9f);
  Result<float> pace_wps = parse_float_option("--pace-wps", pace_text, 0, 1e6f);
  Result<SessionParams> session_params = options.to_params();
  for (const Status &st : {every_seconds.status(), pace_wps.status(), session_params.status()}) {
    if (!st.is_ok()) {
      std::fprintf(stderr, "ballast stream: %s\n", st.message().c_str());
      return 2;
    }
  }

  // Input.
  int fd = STDIN_FILENO;
  if (input_path != "-") {
    fd = ::open(input_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::fprintf(stderr, "ballast stream: cannot open input %s: %s\n", input_path.c_str(), std::strerror(errno));
      return 1;
    }
  }
  struct stat input_info;
  const bool regular_file = ::fstat(fd, &input_info) == 0 && S_ISREG(input_info.st_mode);
  QueuePolicy policy = regular_file ? QueuePolicy::block : QueuePolicy::drop_oldest;
  if (!queue_policy_name_arg.empty()) {
    Result<QueuePolicy> parsed = parse_queue_policy(queue_policy_name_arg);
    if (!parsed.is_ok()) {
      std::fprintf(stderr, "ballast stream: %s\n", parsed.status().message().c_str());
      return 2;
    }
    policy = parsed.value();
  }

  Result<std::unique_ptr<Model>> model = load_model(model_path);
  if (!model.is_ok()) return fail("", model.status());
  StreamParams stream_params;
  stream_params.summary_max_tokens = static_cast<uint32_t>(summary_tokens);
  stream_params.memory_max_tokens = static_cast<uint32_t>(memory_tokens);
  if (!instruction.empty()) stream_params.instruction = instruction;
  stream_params.use_chat_template = !no_chat_template;
  stream_params.max_text_bytes = 3 * static_cast<size_t>(max_line_bytes) + 4;  // an InputQueue slot (below)
  stream_params.sampling = session_params.value().sampling;
  Result<std::unique_ptr<StreamDriver>> created = StreamDriver::create(*model.value(), session_params.value(), stream_params);
  if (!created.is_ok()) return fail("", created.status());
  StreamDriver &driver = *created.value();

  Result<LineReader> reader = LineReader::create(fd, static_cast<size_t>(max_line_bytes));
  if (!reader.is_ok()) return fail("", reader.status());
  Result<InputQueue> queue = InputQueue::create(policy, static_cast<uint32_t>(queue_lines),
                                                3 * static_cast<size_t>(max_line_bytes) + 4);
  if (!queue.is_ok()) return fail("", queue.status());

  // Resume.
  if (!state_path.empty()) {
    Status set = driver.set_state_path(state_path);
    if (!set.is_ok()) return fail("", set);
    Status loaded = driver.load_checkpoint();
    if (loaded.is_ok()) {
      const uint64_t offset = driver.counters().input_offset;
      std::fprintf(stderr, "ballast stream: resumed from %s: %llu transcript tokens, %llu summaries, input offset %llu\n",
                   state_path.c_str(), static_cast<unsigned long long>(driver.counters().transcript_tokens),
                   static_cast<unsigned long long>(driver.counters().summaries),
                   static_cast<unsigned long long>(offset));
      if (regular_file) {
        if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
          std::fprintf(stderr, "ballast stream: cannot seek the input to %llu: %s\n",
                       static_cast<unsigned long long>(offset), std::strerror(errno));
          return 1;
        }
        reader.value().set_offset(offset);
        if (offset > static_cast<uint64_t>(input_info.st_size)) {
          std::fprintf(stderr, "ballast stream: warning: the input has %lld bytes, the checkpoint was at byte %llu "
                       "(another file?): %s\n", static_cast<long long>(input_info.st_size),
                       static_cast<unsigned long long>(offset), follow ? "waiting for it to grow" : "nothing to read");
        }
      } else {
        std::fprintf(stderr, "ballast stream: the input is not seekable; continuing with what arrives now\n");
      }
    } else if (loaded.code() != StatusCode::io_error || loaded.message().rfind("no state file", 0) != 0) {
      // Refused: never loaded, never overwritten. The user decides.
      return fail("refusing the state file: ", loaded);
    }
  }

  StreamLoop loop;
  loop.driver = &driver;
  loop.format = format;
  loop.out.assign(64 * 1024, 0);
  loop.start_ns = monotonic_now_ns();
  loop.last_summary_ns = loop.start_ns;
  loop.queue = &queue.value();
  std::vector<char> echo(3 * static_cast<size_t>(max_line_bytes) + 64);

  install_handler(SIGINT, request_stop);
  install_handler(SIGTERM, request_stop);
  install_handler(SIGUSR1, request_summary);
  std::signal(SIGPIPE, SIG_IGN);
  std::fprintf(stderr, "ballast stream: %s, prompt style %s, window %u + %u sinks, queue %s x %lld lines%s\n",
               model_path.c_str(), prompt_style_name(driver.prompt_style()), driver.session().cache().config().window,
               driver.session().sink_slots(), queue_policy_name(policy), static_cast<long long>(queue_lines),
               state_path.empty() ? "" : ", checkpoints on");

  InputQueue &q = queue.value();
  LineReader &r = reader.value();
  StreamCounters &c = driver.counters();
  const int64_t every_ns = static_cast<int64_t>(static_cast<double>(every_seconds.value()) * 1e9);
  bool input_done = false;
  bool was_full = false;
  LatencyWindow latency(4096);      // wall ns per token of each fed line
  LatencyWindow cpu_latency(4096);  // this thread's CPU ns per token of each fed line
  uint64_t next_stats_at = static_cast<uint64_t>(stats_every);
  int64_t stats_start_ns = monotonic_now_ns();
  uint64_t stats_start_tokens = c.transcript_tokens;
  int exit_code = 0;
  Status failure;
  while (!g_stop_requested && failure.is_ok()) {
    // 1. Take in what the input has (waiting only when there is nothing to do).
    while (!input_done && !g_stop_requested) {
      if (q.full() && policy == QueuePolicy::block) {
        if (!was_full) q.note_delayed();
        was_full = true;
        break;
      }
      was_full = false;
      const bool idle = q.empty() && !g_summary_requested;
      const int timeout_ms = idle ? 100 : 0;
      const char *line = nullptr;
      size_t n = 0;
      Result<LineEvent> event = r.next_line(timeout_ms, !follow, &line, &n);
      if (!event.is_ok()) {
        failure = event.status();
        break;
      }
      if (event.value() == LineEvent::line) {
        q.push(line, n, r.offset());
        continue;
      }
      if (event.value() == LineEvent::eof) {
        if (!follow) input_done = true;
        else if (idle) paced_sleep(0.1);
      }
      break;
    }
    if (!failure.is_ok()) break;

    // 2. Feed one line.
    if (!q.empty() && !g_stop_requested) {
      const QueuedLine line = q.front();
      if (line.info.is_control) {
        g_summary_requested = 1;
      } else if (line.text_bytes > 0) {
        if (pace_wps.value() > 0) paced_sleep(count_words(line.text, line.text_bytes) / pace_wps.value());
        if (echo_input) {
          if (format == SummaryFormat::text) {
            std::fprintf(stdout, "  > %.*s\n", static_cast<int>(line.text_bytes), line.text);
          } else {
            const size_t n = json_escape(std::string_view(line.text, line.text_bytes), echo.data(), echo.size());
            std::fprintf(stdout, "{\"input\":\"%.*s\"}\n", static_cast<int>(n), echo.data());
          }
          std::fflush(stdout);
        }
        const uint64_t tokens_before = c.transcript_tokens;
        const int64_t feed_start = monotonic_now_ns();
        const int64_t feed_cpu_start = thread_cpu_now_ns();
        failure = driver.feed_text(std::string_view(line.text, line.text_bytes));
        if (!failure.is_ok()) break;
        const uint64_t fed = c.transcript_tokens - tokens_before;
        if (fed > 0) {
          latency.add(static_cast<double>(monotonic_now_ns() - feed_start) / static_cast<double>(fed));
          cpu_latency.add(static_cast<double>(thread_cpu_now_ns() - feed_cpu_start) / static_cast<double>(fed));
        }
      }
      c.input_offset = line.end_offset;
      if (line.info.has_timestamps) c.transcript_seconds = line.info.end_seconds;
      q.pop();
      if (every_tokens > 0 && c.transcript_tokens - c.last_summary_at >= static_cast<uint64_t>(every_tokens)) {
        failure = loop.summary();
      }
      if (failure.is_ok() && !state_path.empty() &&
          c.transcript_tokens - c.last_checkpoint_at >= static_cast<uint64_t>(checkpoint_every)) {
        failure = driver.save_checkpoint();
      }
      if (stats_every > 0 && c.transcript_tokens >= next_stats_at) {
        const int64_t now = monotonic_now_ns();
        Result<ProcessMemoryUsage> mem = read_process_memory_usage();
        const struct mallinfo2 heap = mallinfo2();
        std::fprintf(stderr,
                     "{\"stats\":1,\"tokens\":%llu,\"tok_per_s\":%.1f,\"rss_kib\":%llu,\"heap_in_use\":%zu,"
                     "\"token_us_p50\":%.2f,\"token_us_p99\":%.2f,\"token_cpu_us_p50\":%.2f,"
                     "\"token_cpu_us_p99\":%.2f,\"summaries\":%llu}\n",
                     static_cast<unsigned long long>(c.transcript_tokens),
                     static_cast<double>(c.transcript_tokens - stats_start_tokens) * 1e9 /
                         static_cast<double>(now - stats_start_ns > 0 ? now - stats_start_ns : 1),
                     static_cast<unsigned long long>(mem.is_ok() ? mem.value().rss_bytes / 1024 : 0), heap.uordblks,
                     latency.percentile(0.5) / 1e3, latency.percentile(0.99) / 1e3,
                     cpu_latency.percentile(0.5) / 1e3, cpu_latency.percentile(0.99) / 1e3,
                     static_cast<unsigned long long>(c.summaries));
        latency.clear();
        cpu_latency.clear();
        stats_start_ns = now;
        stats_start_tokens = c.transcript_tokens;
        next_stats_at = c.transcript_tokens + static_cast<uint64_t>(stats_every);
      }
      if (stop_after_tokens > 0 && c.transcript_tokens >= static_cast<uint64_t>(stop_after_tokens)) break;
    }
    if (!failure.is_ok()) break;
    const bool new_tokens = c.transcript_tokens > c.last_summary_at;
    if (g_summary_requested || (every_ns > 0 && new_tokens && monotonic_now_ns() - loop.last_summary_ns >= every_ns)) {
      g_summary_requested = 0;
      failure = loop.summary();
    }
    if (input_done && q.empty()) break;
  }

  if (!failure.is_ok()) {
    std::fprintf(stderr, "ballast stream: %s\n", failure.to_string().c_str());
    exit_code = 1;
  } else {
    // End of input or a stop signal: a last summary of what is new, then the final checkpoint.
    if (c.transcript_tokens > c.last_summary_at || (c.summaries == 0 && c.transcript_tokens > 0)) {
      Status last = loop.summary();
      if (!last.is_ok()) {
        std::fprintf(stderr, "ballast stream: %s\n", last.to_string().c_str());
        exit_code = 1;
      }
    }
    if (!state_path.empty()) {
      Status saved = driver.save_checkpoint();
      if (!saved.is_ok()) {
        std::fprintf(stderr, "ballast stream: final checkpoint: %s\n", saved.to_string().c_str());
        exit_code = 1;
      }
    }
  }
  const InputQueueCounters &qc = q.counters();
  Result<ProcessMemoryUsage> memory = read_process_memory_usage();
  std::fprintf(stderr,
               "ballast stream: %s; %llu lines, %llu transcript tokens, %llu summaries; queue: %llu dropped lines "
               "(%llu bytes), %llu delayed reads; %llu long lines split; RSS %.1f MiB\n",
               g_stop_requested ? "stopped by signal" : "done", static_cast<unsigned long long>(c.lines),
               static_cast<unsigned long long>(c.transcript_tokens), static_cast<unsigned long long>(c.summaries),
               static_cast<unsigned long long>(qc.dropped_lines), static_cast<unsigned long long>(qc.dropped_bytes),
               static_cast<unsigned long long>(qc.delayed_reads), static_cast<unsigned long long>(r.split_lines()),
               memory.is_ok() ? static_cast<double>(memory.value().rss_bytes) / (1024.0 * 1024.0) : 0.0);
  if (fd != STDIN_FILENO) ::close(fd);
  return exit_code;
}

}  // namespace ballast::cli
