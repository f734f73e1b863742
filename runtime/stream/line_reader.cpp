#include "runtime/stream/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ballast {
namespace {
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

Result<LineReader> LineReader::create(int fd, size_t max_line_bytes) {
  if (fd < 0) return make_status(StatusCode::invalid_argument, "line reader: bad file descriptor %d", fd);
  if (max_line_bytes == 0) return make_status(StatusCode::invalid_argument, "line reader: max line bytes must be >= 1");
  LineReader reader;
  reader.fd_ = fd;
  reader.max_line_ = max_line_bytes;
  reader.buffer_.resize(max_line_bytes + kReadChunk);
  return reader;
}

Result<LineEvent> LineReader::next_line(int timeout_ms, bool emit_partial_at_eof, const char **line, size_t *n) {
  while (true) {
    // A complete line (or a full piece of an over-long one) already buffered?
    const size_t live = end_ - begin_;
    const size_t look = live < max_line_ ? live : max_line_;
    const char *start = buffer_.data() + begin_;
    const void *newline = scanned_ < look ? std::memchr(start + scanned_, '\n', look - scanned_) : nullptr;
    if (newline != nullptr) {
      const size_t length = static_cast<size_t>(static_cast<const char *>(newline) - start);
      *line = start;
      *n = length > 0 && start[length - 1] == '\r' ? length - 1 : length;
      begin_ += length + 1;
      scanned_ = 0;
      offset_ += length + 1;
      return LineEvent::line;
    }
    scanned_ = look;
    if (look == max_line_) {  // no '\n' in max_line bytes: hand out a piece
      *line = start;
      *n = max_line_;
      begin_ += max_line_;
      scanned_ = 0;
      offset_ += max_line_;
      ++split_lines_;
      return LineEvent::line;
    }
    if (at_eof_) {
      at_eof_ = false;  // a follower may find more next time
      if (emit_partial_at_eof && live > 0) {
        *line = start;
        *n = live;
        begin_ = end_ = scanned_ = 0;
        offset_ += live;
        return LineEvent::line;
      }
      return LineEvent::eof;
    }
    // Make room: move the partial line to the front.
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, live);
      begin_ = 0;
      end_ = live;
    }
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return LineEvent::would_block;  // a signal: let the caller look at its flags
      return make_status(StatusCode::io_error, "poll on input failed: %s", std::strerror(errno));
    }
    if (ready == 0) return LineEvent::would_block;
    const size_t room = buffer_.size() - end_;
    const ssize_t got = ::read(fd_, buffer_.data() + end_, room);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return LineEvent::would_block;
      return make_status(StatusCode::io_error, "reading input failed: %s", std::strerror(errno));
    }
    if (got == 0) {
      at_eof_ = true;
      continue;
    }
    end_ += static_cast<size_t>(got);
  }
}

}  // namespace ballast
