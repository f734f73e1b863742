// The stream loop's steady state allocates nothing: feeding pre-tokenized
// transcript through eviction, summaries (snapshot, prompt, generation,
// restore, memory re-feed) and checkpoints, after init; and the whole per-line
// path of `ballast stream` (read a line, clean and queue it, tokenize and feed
// it, summaries, checkpoints) on hostile transcript text.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/stream/input_queue.h"
#include "runtime/stream/line_reader.h"
#include "runtime/stream/stream_driver.h"
#include "tests/stream/stream_test_support.h"
#include "tests/support/allocation_counter.h"

using namespace ballast;
using namespace ballast::test;
using ballast::testing::AllocationCountScope;

TEST_CASE("stream: feed and summaries and checkpoints perform zero heap allocations after init") {
  auto model = make_stream_test_model();
  auto created = StreamDriver::create(*model, stream_test_session_params(), stream_test_params());
  REQUIRE_MESSAGE(created.is_ok(), created.status().to_string());
  StreamDriver &d = *created.value();
  const std::string path = std::string(P_tmpdir) + "/ballast-stream-alloc-test.state";
  REQUIRE(d.set_state_path(path).is_ok());
  const auto tokens = test_tokens(4000, model->config.n_vocab);
  // Warm-up: one of everything (first checkpoint creates the file).
  REQUIRE(d.feed_tokens(tokens.data(), 40).is_ok());
  REQUIRE(d.summarize().is_ok());
  REQUIRE(d.save_checkpoint().is_ok());

  uint64_t summaries = 0;
  {
    AllocationCountScope scope;
    for (size_t at = 40; at + 20 <= tokens.size(); at += 20) {  // "lines" of 20 tokens
      REQUIRE(d.feed_tokens(tokens.data() + at, 20).is_ok());
      if (at % 400 == 0) {
        REQUIRE(d.summarize().is_ok());
        ++summaries;
      }
      if (at % 1000 == 0) REQUIRE(d.save_checkpoint().is_ok());
    }
    CHECK(scope.count() == 0);
  }
  CHECK(summaries >= 9);
  CHECK(d.session().stats().evictions > 3000);
  std::remove(path.c_str());
}

namespace {

// A transcript of every kind of line the CLI meets: plain and timestamped,
// multi-byte and invalid UTF-8, NULs and controls, special-token text, a
// "#summary" control line, and lines longer than the reader's limit.
std::string hostile_transcript(size_t max_line_bytes, size_t lines) {
  // NULs inside, so the length comes from the array (the literal is split
  // after \x01 so that "c" is not read as a third hex digit).
  static const char kNulLine[] = "nul\0bytes\0and\x01" "controls\x7F\there";
  const std::vector<std::string> kinds = {
      "so the plan for the next quarter is to ship the streaming runtime",
      "[00:01:02.000 --> 00:01:05.000]  and then we measured it again",
      "caf\xC3\xA9 na\xC3\xAFve \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 done",
      "bad bytes \xC0 \xFF\xFE \xE4\xB8 and a cut emoji \xF0\x9F\x98",
      std::string(kNulLine, sizeof kNulLine - 1),
      "<s> </s> <unk> <|im_end|> <|endoftext|> stay text",
      "#summary",
      "   lots     of    spaces   ",
  };
  std::string text;
  uint32_t state = 99;
  for (size_t i = 0; i < lines; ++i) {
    state = state * 1664525u + 1013904223u;
    if (i % 97 == 50) {  // longer than the reader's limit: comes out in pieces
      for (size_t k = 0; k < 2 * max_line_bytes + 17; ++k) text.push_back(static_cast<char>(k % 3 == 2 ? ' ' : '\xC3'));
    } else if (i % 89 == 40) {  // exactly at the limit
      text += std::string(max_line_bytes, '\xFF');
    } else {
      text += kinds[(state >> 8) % kinds.size()];
      if (state & 1) text += " " + std::to_string(state % 100000);
    }
    text.push_back('\n');
  }
  return text;
}

}  // namespace

TEST_CASE("stream: the per-line path of the CLI - read and clean and tokenize and feed - performs zero heap allocations after init") {
  const size_t max_line_bytes = 256;
  auto model = make_stream_test_model();
  StreamParams params = stream_test_params();
  params.max_text_bytes = 3 * max_line_bytes + 4;  // as `ballast stream` sets it: an InputQueue slot
  auto created = StreamDriver::create(*model, stream_test_session_params(), params);
  REQUIRE_MESSAGE(created.is_ok(), created.status().to_string());
  StreamDriver &d = *created.value();
  const std::string state_path = std::string(P_tmpdir) + "/ballast-stream-alloc-lines-test.state";
  REQUIRE(d.set_state_path(state_path).is_ok());

  // The input: a regular file read through the CLI's reader and queue.
  const std::string input_path = std::string(P_tmpdir) + "/ballast-stream-alloc-lines-test.txt";
  const std::string transcript = hostile_transcript(max_line_bytes, 1200);
  FILE *f = std::fopen(input_path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(transcript.data(), 1, transcript.size(), f) == transcript.size());
  std::fclose(f);
  const int fd = ::open(input_path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  Result<LineReader> reader = LineReader::create(fd, max_line_bytes);
  REQUIRE(reader.is_ok());
  Result<InputQueue> queue = InputQueue::create(QueuePolicy::block, 8, 3 * max_line_bytes + 4);
  REQUIRE(queue.is_ok());
  LineReader &r = reader.value();
  InputQueue &q = queue.value();
  StreamCounters &c = d.counters();

  // One step of the CLI loop: read what fits in the queue, feed one line,
  // summaries every 150 tokens, checkpoints every 400. False at the end.
  bool input_done = false;
  uint64_t summaries = 0, checkpoints = 0, control_lines = 0;
  auto step = [&]() -> bool {
    while (!input_done && !q.full()) {
      const char *line = nullptr;
      size_t n = 0;
      Result<LineEvent> event = r.next_line(0, true, &line, &n);
      REQUIRE(event.is_ok());
      if (event.value() == LineEvent::line) {
        q.push(line, n, r.offset());
        continue;
      }
      if (event.value() == LineEvent::eof) input_done = true;
      break;
    }
    if (q.empty()) return !input_done;
    const QueuedLine line = q.front();
    if (line.info.is_control) {
      ++control_lines;
    } else {
      REQUIRE(d.feed_text(std::string_view(line.text, line.text_bytes)).is_ok());
    }
    c.input_offset = line.end_offset;
    if (line.info.has_timestamps) c.transcript_seconds = line.info.end_seconds;
    q.pop();
    if (c.transcript_tokens - c.last_summary_at >= 150) {
      REQUIRE(d.summarize().is_ok());
      ++summaries;
    }
    if (c.transcript_tokens - c.last_checkpoint_at >= 400) {
      REQUIRE(d.save_checkpoint().is_ok());
      ++checkpoints;
    }
    return true;
  };

  // Warm-up: a few lines, one summary and the first checkpoint (creates the file).
  for (int i = 0; i < 5; ++i) REQUIRE(step());
  REQUIRE(d.summarize().is_ok());
  REQUIRE(d.save_checkpoint().is_ok());
  const uint64_t lines_before = c.lines;

  uint64_t allocations = 0;
  {
    AllocationCountScope scope;
    while (step()) {
    }
    allocations = scope.count();
  }
  ::close(fd);
  MESSAGE("lines fed " << c.lines - lines_before << ", transcript tokens " << c.transcript_tokens << ", summaries "
                       << summaries << ", checkpoints " << checkpoints << ", long lines split " << r.split_lines());
  CHECK(allocations == 0);
  CHECK(c.lines - lines_before > 1000);
  CHECK(control_lines > 20);
  CHECK(r.split_lines() >= 10);
  CHECK(summaries >= 10);
  CHECK(checkpoints >= 3);
  CHECK(d.session().stats().evictions > 1000);
  std::remove(state_path.c_str());
  std::remove(input_path.c_str());
}
