// Error plumbing for the C API: internal Status -> ballast_status, the
// thread-local and per-session error messages, and the guard that keeps every
// C++ exception (std::bad_alloc included) from crossing the C boundary.
#pragma once

#include <cstddef>
#include <exception>
#include <new>

#include "platform/status.h"
#include "runtime/capi/ballast.h"

namespace ballast::capi {

// Fixed-size message buffers: recording an error never allocates, so it also
// works when the error is an out-of-memory.
constexpr size_t kErrorMessageBytes = 512;

ballast_status to_c_status(StatusCode code);

// Records `message` as this thread's last error and, when `session_message`
// is not null, in that session's buffer too. Returns `status`.
ballast_status record_error(ballast_status status, char *session_message, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
// Same for an internal Status (code mapped, message copied).
ballast_status record_status(const Status &status, char *session_message);

// Runs `body` (returning ballast_status); any exception becomes a status and
// a message naming `function`. noexcept: nothing escapes.
template <typename Body>
ballast_status guarded(const char *function, char *session_message, Body &&body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return record_error(BALLAST_ERROR_OUT_OF_MEMORY, session_message, "%s: out of memory (allocation failed)", function);
  } catch (const std::exception &e) {
    return record_error(BALLAST_ERROR_INTERNAL, session_message, "%s: unexpected C++ exception: %s", function, e.what());
  } catch (...) {
    return record_error(BALLAST_ERROR_INTERNAL, session_message, "%s: unexpected exception", function);
  }
}

}  // namespace ballast::capi
