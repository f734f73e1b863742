// GgufFile::value_to_string: one metadata value for humans (`ballast info`).
#include <cstdio>

#include "models/gguf/gguf_array_elements.h"
#include "models/gguf/gguf_reader.h"

namespace ballast {
namespace {

constexpr size_t kMaxShownStringBytes = 256;

// "text" with control characters, quotes and backslashes escaped; bytes >= 0x80
// (UTF-8) pass through. Long strings are cut, with their full length noted.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  const size_t shown = s.size() < kMaxShownStringBytes ? s.size() : kMaxShownStringBytes;
  for (size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  if (shown < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string scalar_to_string(const GgufValue &value) {
  char text[64];
  switch (value.type) {
    case GgufValueType::uint8:
    case GgufValueType::uint16:
    case GgufValueType::uint32:
    case GgufValueType::uint64:
      std::snprintf(text, sizeof(text), "%llu", static_cast<unsigned long long>(value.number.u64));
      break;
    case GgufValueType::int8:
    case GgufValueType::int16:
    case GgufValueType::int32:
    case GgufValueType::int64: std::snprintf(text, sizeof(text), "%lld", static_cast<long long>(value.number.i64)); break;
    case GgufValueType::float32: std::snprintf(text, sizeof(text), "%.9g", value.number.f64); break;
    case GgufValueType::float64: std::snprintf(text, sizeof(text), "%.17g", value.number.f64); break;
    case GgufValueType::boolean: return value.number.u64 != 0 ? "true" : "false";
    case GgufValueType::string: return quoted(value.string);
    case GgufValueType::array: return "<array>";
  }
  return text;
}

std::string array_to_string(const GgufValue &array, size_t max_items) {
  std::string out = "[";
  const uint64_t shown = array.array_count < max_items ? array.array_count : max_items;
  if (array.array_type == GgufValueType::string) {
    const Status walked = gguf_parse::visit_string_elements(array, [&out, shown](uint64_t i, std::string_view s) {
      if (i >= shown) return false;
      if (i > 0) out += ", ";
      out += quoted(s);
      return true;
    });
    if (!walked.is_ok()) return "<invalid array: " + walked.message() + ">";
  } else {
    for (uint64_t i = 0; i < shown; ++i) {
      GgufValue element;
      const Status read = gguf_parse::scalar_array_element(array, i, &element);
      if (!read.is_ok()) return "<invalid array: " + read.message() + ">";
      if (i > 0) out += ", ";
      out += scalar_to_string(element);
    }
  }
  if (shown < array.array_count) out += shown > 0 ? ", ..." : "...";
  out += "] (" + std::to_string(array.array_count) + " x " + gguf_value_type_name(array.array_type) + ")";
  return out;
}

}  // namespace

std::string GgufFile::value_to_string(const GgufValue &value, size_t max_array_items) const {
  if (value.type == GgufValueType::array) return array_to_string(value, max_array_items);
  return scalar_to_string(value);
}

}  // namespace ballast
