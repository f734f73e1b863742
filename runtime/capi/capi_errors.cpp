#include "runtime/capi/capi_errors.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ballast::capi {
namespace {

thread_local char t_last_error[kErrorMessageBytes] = "";

void copy_message(char *dst, const char *src) {
  std::strncpy(dst, src, kErrorMessageBytes - 1);
  dst[kErrorMessageBytes - 1] = '\0';
}

}  // namespace

ballast_status to_c_status(StatusCode code) {
  switch (code) {
    case StatusCode::ok: return BALLAST_OK;
    case StatusCode::invalid_argument: return BALLAST_ERROR_INVALID_ARGUMENT;
    case StatusCode::out_of_range: return BALLAST_ERROR_OUT_OF_RANGE;
    case StatusCode::corrupt_file: return BALLAST_ERROR_CORRUPT_MODEL;
    case StatusCode::unsupported: return BALLAST_ERROR_UNSUPPORTED;
    case StatusCode::out_of_memory: return BALLAST_ERROR_OUT_OF_MEMORY;
    case StatusCode::io_error: return BALLAST_ERROR_IO;
    case StatusCode::internal: return BALLAST_ERROR_INTERNAL;
  }
  return BALLAST_ERROR_INTERNAL;
}

ballast_status record_error(ballast_status status, char *session_message, const char *format, ...) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(t_last_error, kErrorMessageBytes, format, args);
  va_end(args);
  if (session_message != nullptr) copy_message(session_message, t_last_error);
  return status;
}

ballast_status record_status(const Status &status, char *session_message) {
  if (status.is_ok()) return BALLAST_OK;
  return record_error(to_c_status(status.code()), session_message, "%s", status.message().c_str());
}

}  // namespace ballast::capi

extern "C" {

BALLAST_API const char *ballast_last_error(void) { return ballast::capi::t_last_error; }

BALLAST_API const char *ballast_status_string(ballast_status status) {
  // Compared as an int: a C caller may pass any value.
  int code = 0;
  static_assert(sizeof(status) == sizeof(code), "C enums are int-sized");
  std::memcpy(&code, &status, sizeof(code));
  switch (code) {
    case BALLAST_OK: return "ok";
    case BALLAST_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case BALLAST_ERROR_OUT_OF_RANGE: return "out of range";
    case BALLAST_ERROR_BUFFER_TOO_SMALL: return "buffer too small";
    case BALLAST_ERROR_INVALID_STATE: return "invalid state";
    case BALLAST_ERROR_CORRUPT_MODEL: return "corrupt model";
    case BALLAST_ERROR_UNSUPPORTED: return "unsupported";
    case BALLAST_ERROR_OUT_OF_MEMORY: return "out of memory";
    case BALLAST_ERROR_IO: return "i/o error";
    case BALLAST_ERROR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

}  // extern "C"
