// Typed metadata getters of GgufFile. Missing key: invalid_argument naming
// it; wrong type or a value that does not fit: corrupt_file naming key, offset
// and types.
#include <limits>

#include "models/gguf/gguf_array_elements.h"
#include "models/gguf/gguf_reader.h"

namespace ballast {
namespace {

bool is_unsigned_type(GgufValueType t) {
  return t == GgufValueType::uint8 || t == GgufValueType::uint16 || t == GgufValueType::uint32 ||
         t == GgufValueType::uint64;
}
bool is_signed_type(GgufValueType t) {
  return t == GgufValueType::int8 || t == GgufValueType::int16 || t == GgufValueType::int32 ||
         t == GgufValueType::int64;
}

Status not_found(std::string_view key) {
  return make_status(StatusCode::invalid_argument, "key '%s' not found", printable_name(key, 128).c_str());
}

Status wrong_type(std::string_view key, const GgufValue &value, const char *expected) {
  const std::string found = value.type == GgufValueType::array
                                ? std::string("array of ") + gguf_value_type_name(value.array_type)
                                : gguf_value_type_name(value.type);
  return make_status(StatusCode::corrupt_file, "key '%s' value at offset %llu has type %s, expected %s",
                     printable_name(key, 128).c_str(), static_cast<unsigned long long>(value.file_offset), found.c_str(),
                     expected);
}

Result<int64_t> integer_as_i64(std::string_view key, const GgufValue &value) {
  if (is_signed_type(value.type)) return value.number.i64;
  if (is_unsigned_type(value.type) && value.number.u64 <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(value.number.u64);
  }
  if (is_unsigned_type(value.type)) {
    return make_status(StatusCode::corrupt_file, "key '%s' = %llu at offset %llu does not fit a signed 64-bit integer",
                       printable_name(key, 128).c_str(), static_cast<unsigned long long>(value.number.u64),
                       static_cast<unsigned long long>(value.file_offset));
  }
  return wrong_type(key, value, "an integer");
}

Result<uint64_t> integer_as_u64(std::string_view key, const GgufValue &value) {
  if (is_unsigned_type(value.type)) return value.number.u64;
  if (is_signed_type(value.type) && value.number.i64 >= 0) return static_cast<uint64_t>(value.number.i64);
  if (is_signed_type(value.type)) {
    return make_status(StatusCode::corrupt_file, "key '%s' = %lld at offset %llu is negative, expected unsigned",
                       printable_name(key, 128).c_str(), static_cast<long long>(value.number.i64),
                       static_cast<unsigned long long>(value.file_offset));
  }
  return wrong_type(key, value, "an unsigned integer");
}

}  // namespace

Result<uint64_t> GgufFile::get_uint(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  return integer_as_u64(key, *value);
}

Result<int64_t> GgufFile::get_int(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  return integer_as_i64(key, *value);
}

Result<double> GgufFile::get_float(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  if (value->type != GgufValueType::float32 && value->type != GgufValueType::float64) {
    return wrong_type(key, *value, "f32 or f64");
  }
  return value->number.f64;
}

Result<bool> GgufFile::get_bool(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  if (value->type != GgufValueType::boolean) return wrong_type(key, *value, "bool");
  return value->number.u64 != 0;
}

Result<std::string_view> GgufFile::get_string(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  if (value->type != GgufValueType::string) return wrong_type(key, *value, "string");
  return value->string;
}

Result<std::vector<std::string_view>> GgufFile::get_string_array(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  if (value->type != GgufValueType::array || value->array_type != GgufValueType::string) {
    return wrong_type(key, *value, "array of string");
  }
  std::vector<std::string_view> out;
  out.reserve(value->array_count);  // parse checked count * 8 <= file size
  BALLAST_RETURN_IF_ERROR(gguf_parse::visit_string_elements(*value, [&out](uint64_t, std::string_view s) {
    out.push_back(s);
    return true;
  }));
  return out;
}

Result<std::vector<float>> GgufFile::get_f32_array(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  if (value->type != GgufValueType::array || value->array_type != GgufValueType::float32) {
    return wrong_type(key, *value, "array of f32");
  }
  std::vector<float> out(value->array_count);  // parse checked count * 4 <= file size
  for (uint64_t i = 0; i < value->array_count; ++i) {
    GgufValue element;
    BALLAST_RETURN_IF_ERROR(gguf_parse::scalar_array_element(*value, i, &element));
    out[i] = static_cast<float>(element.number.f64);
  }
  return out;
}

Result<std::vector<int32_t>> GgufFile::get_i32_array(std::string_view key) const {
  const GgufValue *value = find(key);
  if (value == nullptr) return not_found(key);
  if (value->type != GgufValueType::array ||
      !(is_signed_type(value->array_type) || is_unsigned_type(value->array_type))) {
    return wrong_type(key, *value, "array of integers");
  }
  std::vector<int32_t> out(value->array_count);
  for (uint64_t i = 0; i < value->array_count; ++i) {
    GgufValue element;
    BALLAST_RETURN_IF_ERROR(gguf_parse::scalar_array_element(*value, i, &element));
    const bool fits = is_signed_type(element.type)
                          ? element.number.i64 >= INT32_MIN && element.number.i64 <= INT32_MAX
                          : element.number.u64 <= static_cast<uint64_t>(INT32_MAX);
    if (!fits) {
      return make_status(StatusCode::corrupt_file, "key '%s' array element %llu (%s) at offset %llu does not fit i32",
                         printable_name(key, 128).c_str(), static_cast<unsigned long long>(i),
                         gguf_value_type_name(element.type),
                         static_cast<unsigned long long>(value->file_offset + 12 + i * gguf_scalar_size(element.type)));
    }
    out[i] = is_signed_type(element.type) ? static_cast<int32_t>(element.number.i64)
                                          : static_cast<int32_t>(element.number.u64);
  }
  return out;
}

Result<uint64_t> GgufFile::get_uint_or(std::string_view key, uint64_t fallback) const {
  if (find(key) == nullptr) return fallback;
  return get_uint(key);
}

Result<double> GgufFile::get_float_or(std::string_view key, double fallback) const {
  if (find(key) == nullptr) return fallback;
  return get_float(key);
}

Result<bool> GgufFile::get_bool_or(std::string_view key, bool fallback) const {
  if (find(key) == nullptr) return fallback;
  return get_bool(key);
}

Result<std::string_view> GgufFile::get_string_or(std::string_view key, std::string_view fallback) const {
  if (find(key) == nullptr) return fallback;
  return get_string(key);
}

}  // namespace ballast
