// Reads lines from a file descriptor (regular file, pipe, FIFO, stdin) into
// one buffer sized at creation. A line longer than `max_line_bytes` comes out
// in pieces of that size (counted in split_lines()), so a 10 MB line costs no
// more memory than a short one. Waits with poll(), never blocks longer than
// the timeout given; never allocates after create().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "platform/status.h"

namespace ballast {

enum class LineEvent { line, would_block, eof };

class LineReader {
 public:
  // fd stays owned by the caller. max_line_bytes >= 1.
  static Result<LineReader> create(int fd, size_t max_line_bytes);

  // The next line without its '\n' (and a trailing '\r'), in *line / *n,
  // valid until the next call. would_block: nothing complete arrived within
  // timeout_ms (-1 waits forever). eof: the writer closed (or the file ended);
  // with emit_partial_at_eof a last line without '\n' comes out first,
  // otherwise it stays buffered (follow mode: more may be appended).
  Result<LineEvent> next_line(int timeout_ms, bool emit_partial_at_eof, const char **line, size_t *n);

  // Bytes of input consumed through the end of the last line returned.
  uint64_t offset() const { return offset_; }
  // Sets the offset counter (after the caller seeked or skipped input).
  void set_offset(uint64_t offset) { offset_ = offset; }
  uint64_t split_lines() const { return split_lines_; }

 private:
  LineReader() = default;
  int fd_ = -1;
  size_t max_line_ = 0;
  std::vector<char> buffer_;  // [max_line + read chunk] bytes; live data in [begin_, end_)
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t scanned_ = 0;  // bytes from begin_ already known to hold no '\n'
  uint64_t offset_ = 0;
  uint64_t split_lines_ = 0;
  bool at_eof_ = false;
};

}  // namespace ballast
