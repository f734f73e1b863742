#include "models/gguf/gguf_byte_cursor.h"

#include <cstdarg>
#include <cstdio>

namespace ballast {

std::string printable_name(std::string_view name, size_t max_bytes) {
  std::string out;
  const size_t shown = name.size() < max_bytes ? name.size() : max_bytes;
  out.reserve(shown + 8);
  for (size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    }
  }
  if (shown < name.size()) out += "...";
  return out;
}

std::string FieldOwner::describe() const {
  std::string out = kind_;
  if (indexed_) out += " " + std::to_string(index_);
  if (!name_.empty()) out += " ('" + printable_name(name_) + "')";
  if (has_element_) out += " array element " + std::to_string(element_);
  return out;
}

Status field_error(StatusCode code, const FieldOwner &owner, const char *field, uint64_t offset, const char *format,
                   ...) {
  char detail[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  return make_status(code, "%s %s at offset %llu: %s", owner.describe().c_str(), field,
                     static_cast<unsigned long long>(offset), detail);
}

Status ByteCursor::require(uint64_t bytes, const FieldOwner &owner, const char *field) const {
  if (bytes <= remaining()) return Status::ok();
  return field_error(StatusCode::corrupt_file, owner, field, offset_,
                     "needs %llu bytes, only %llu remain before end of file (file size %llu)",
                     static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(remaining()),
                     static_cast<unsigned long long>(size_));
}

Status ByteCursor::read_string(std::string_view *out, const FieldOwner &owner, const char *length_field,
                               const char *bytes_field) {
  uint64_t length = 0;
  BALLAST_RETURN_IF_ERROR(read(&length, owner, length_field));
  if (length > remaining()) {
    return field_error(StatusCode::corrupt_file, owner, length_field, offset_ - sizeof(length),
                       "length %llu bytes, but only %llu remain before end of file (file size %llu)",
                       static_cast<unsigned long long>(length), static_cast<unsigned long long>(remaining()),
                       static_cast<unsigned long long>(size_));
  }
  *out = std::string_view(reinterpret_cast<const char *>(here()), static_cast<size_t>(length));
  return skip(length, owner, bytes_field);
}

}  // namespace ballast
