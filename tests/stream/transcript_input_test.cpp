// Input side of `ballast stream`: line cleaning, the line reader and the
// bounded queue under hostile input.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/stream/input_queue.h"
#include "runtime/stream/line_reader.h"
#include "runtime/stream/transcript_line.h"

using namespace ballast;

namespace {

bool is_valid_utf8_without_controls(const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::string clean(const std::string &in, TranscriptLine *info = nullptr) {
  std::vector<char> out(4 * in.size() + 4);
  TranscriptLine line = clean_transcript_line(in.data(), in.size(), out.data(), out.size());
  if (info) *info = line;
  return std::string(out.data(), line.text_bytes);
}

// Writes `data` into a pipe from a thread; returns the read end.
struct PipeFeeder {
  int read_fd = -1;
  std::thread writer;
  explicit PipeFeeder(std::string data) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read_fd = fds[0];
    const int write_fd = fds[1];
    writer = std::thread([write_fd, data = std::move(data)] {
      size_t done = 0;
      while (done < data.size()) {
        const ssize_t w = ::write(write_fd, data.data() + done, data.size() - done);
        if (w <= 0) break;
        done += static_cast<size_t>(w);
      }
      ::close(write_fd);
    });
  }
  ~PipeFeeder() {
    writer.join();
    ::close(read_fd);
  }
};

std::vector<std::string> read_all_lines(int fd, size_t max_line, LineReader **out_reader = nullptr) {
  static Result<LineReader> reader = Status(StatusCode::internal, "unset");
  reader = LineReader::create(fd, max_line);
  REQUIRE(reader.is_ok());
  std::vector<std::string> lines;
  while (true) {
    const char *line = nullptr;
    size_t n = 0;
    Result<LineEvent> ev = reader.value().next_line(1000, true, &line, &n);
    REQUIRE(ev.is_ok());
    if (ev.value() == LineEvent::eof) break;
    if (ev.value() == LineEvent::line) lines.emplace_back(line, n);
  }
  if (out_reader) *out_reader = &reader.value();
  return lines;
}

}  // namespace

TEST_CASE("stream input: whisper.cpp timestamps are parsed and stripped") {
  TranscriptLine info;
  CHECK(clean("[00:01:02.000 --> 00:01:05.500]   Hello  there ", &info) == "Hello there");
  CHECK(info.has_timestamps);
  CHECK(info.start_seconds == doctest::Approx(62.0));
  CHECK(info.end_seconds == doctest::Approx(65.5));
  CHECK(clean("[01:02.250 --> 01:03,000] x", &info) == "x");
  CHECK(info.end_seconds == doctest::Approx(63.0));
  CHECK(clean("[not a timestamp] words", &info) == "[not a timestamp] words");
  CHECK_FALSE(info.has_timestamps);
  CHECK(clean("plain line", &info) == "plain line");
  CHECK_FALSE(info.has_timestamps);
}

TEST_CASE("stream input: control line #summary is recognised") {
  TranscriptLine info;
  clean("  #summary \r", &info);
  CHECK(info.is_control);
  clean("#summary please", &info);
  CHECK_FALSE(info.is_control);
}

TEST_CASE("stream input: invalid UTF-8 becomes U+FFFD and NUL bytes are dropped") {
  TranscriptLine info;
  const std::string bad = std::string("a\xC3(b\xFF") + std::string(1, '\0') + "c\xE2\x82" + "d\xED\xA0\x80";
  const std::string out = clean(bad, &info);
  CHECK(is_valid_utf8_without_controls(out.data(), out.size()));
  CHECK(info.dropped_bytes == 1);
  CHECK(info.replaced_bytes == 7);
  CHECK(out.find("a\xEF\xBF\xBD(b") == 0);
  CHECK(clean(std::string("caf\xC3\xA9 \xF0\x9F\x98\x80")) == "caf\xC3\xA9 \xF0\x9F\x98\x80");  // valid stays
}

TEST_CASE("stream input: binary junk always cleans to valid UTF-8 within capacity") {
  uint64_t state = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string junk(1 + round * 7, '\0');
    for (char &c : junk) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      c = static_cast<char>(state >> 56);
    }
    std::vector<char> out(junk.size() + 3);  // deliberately short: output must stop, not overflow
    out.push_back('\x7E');                   // guard byte just past the capacity given
    const size_t capacity = out.size() - 1;
    TranscriptLine line = clean_transcript_line(junk.data(), junk.size(), out.data(), capacity);
    REQUIRE(line.text_bytes <= capacity);
    CHECK(out.back() == '\x7E');
    CHECK(is_valid_utf8_without_controls(out.data(), line.text_bytes));
  }
}

TEST_CASE("stream input: empty input is a clean EOF") {
  PipeFeeder feeder("");
  CHECK(read_all_lines(feeder.read_fd, 64).empty());
}

TEST_CASE("stream input: EOF in the middle of a line still delivers it") {
  LineReader *reader = nullptr;
  PipeFeeder feeder("first\r\nsecond\nthird without newline");
  const auto lines = read_all_lines(feeder.read_fd, 64, &reader);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "first");
  CHECK(lines[1] == "second");
  CHECK(lines[2] == "third without newline");
  CHECK(reader->offset() == std::strlen("first\r\nsecond\nthird without newline"));
}

TEST_CASE("stream input: a 10 MB line is split into bounded pieces") {
  std::string big(10u * 1024 * 1024, 'x');
  big += "\nafter\n";
  LineReader *reader = nullptr;
  PipeFeeder feeder(big);
  const auto lines = read_all_lines(feeder.read_fd, 4096, &reader);
  size_t total = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    CHECK(lines[i].size() <= 4096);
    total += lines[i].size();
  }
  CHECK(total == 10u * 1024 * 1024);
  CHECK(lines.back() == "after");
  CHECK(reader->split_lines() == 10u * 1024 * 1024 / 4096);
  CHECK(reader->offset() == big.size());
}

TEST_CASE("stream input: NUL bytes inside lines do not end them") {
  PipeFeeder feeder(std::string("ab\0cd\n", 6));
  const auto lines = read_all_lines(feeder.read_fd, 64);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].size() == 5);
  CHECK(clean(lines[0]) == "abcd");
}

TEST_CASE("stream input: would_block when a live input has nothing yet") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto reader = LineReader::create(fds[0], 64);
  REQUIRE(reader.is_ok());
  const char *line = nullptr;
  size_t n = 0;
  auto ev = reader.value().next_line(10, false, &line, &n);
  REQUIRE(ev.is_ok());
  CHECK(ev.value() == LineEvent::would_block);
  REQUIRE(::write(fds[1], "partial", 7) == 7);
  ev = reader.value().next_line(10, false, &line, &n);
  CHECK(ev.value() == LineEvent::would_block);  // no newline yet: held
  REQUIRE(::write(fds[1], " line\n", 6) == 6);
  ev = reader.value().next_line(10, false, &line, &n);
  REQUIRE(ev.value() == LineEvent::line);
  CHECK(std::string(line, n) == "partial line");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("stream input queue: block policy refuses when full and counts the delay") {
  auto queue = InputQueue::create(QueuePolicy::block, 2, 64);
  REQUIRE(queue.is_ok());
  InputQueue &q = queue.value();
  CHECK(q.push("one", 3, 4));
  CHECK(q.push("two", 3, 8));
  CHECK(q.full());
  CHECK_FALSE(q.push("three", 5, 14));
  CHECK(q.counters().delayed_reads == 1);
  CHECK(q.counters().dropped_lines == 0);
  CHECK(std::string(q.front().text, q.front().text_bytes) == "one");
  q.pop();
  CHECK(q.push("three", 5, 14));
  CHECK(std::string(q.front().text, q.front().text_bytes) == "two");
}

TEST_CASE("stream input queue: drop-oldest keeps the newest lines and counts the dropped") {
  auto queue = InputQueue::create(QueuePolicy::drop_oldest, 3, 64);
  REQUIRE(queue.is_ok());
  InputQueue &q = queue.value();
  for (int i = 0; i < 10; ++i) {
    const std::string line = "line " + std::to_string(i);
    CHECK(q.push(line.data(), line.size(), static_cast<uint64_t>(i)));
  }
  CHECK(q.size() == 3);
  CHECK(q.counters().dropped_lines == 7);
  CHECK(q.counters().dropped_bytes == 7 * 6);
  CHECK(std::string(q.front().text, q.front().text_bytes) == "line 7");
  CHECK(q.front().end_offset == 7);
}
