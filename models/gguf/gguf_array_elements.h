// Element access for array values of a parsed GgufFile. The parser already
// validated every element; these re-check bounds against the array's own byte
// range anyway, so a hand-made GgufValue cannot make them read out of range.
#pragma once

#include <cstdint>
#include <string_view>

#include "models/gguf/gguf_byte_cursor.h"
#include "models/gguf/gguf_parse_steps.h"
#include "models/gguf/gguf_reader.h"

namespace ballast {
namespace gguf_parse {

// Element `index` of an array of scalars, decoded as a scalar GgufValue.
inline Status scalar_array_element(const GgufValue &array, uint64_t index, GgufValue *out) {
  const size_t element_bytes = gguf_scalar_size(array.array_type);
  const FieldOwner owner = FieldOwner::key(0).element(index);
  if (array.type != GgufValueType::array || element_bytes == 0 || index >= array.array_count ||
      index >= array.array_bytes / element_bytes) {
    return make_status(StatusCode::out_of_range, "array element %llu is not a scalar inside the array",
                       static_cast<unsigned long long>(index));
  }
  out->type = array.array_type;
  out->file_offset = array.file_offset;
  return decode_scalar(array.array_type, array.array_data + index * element_bytes, owner,
                       array.file_offset + 12 + index * element_bytes, out);
}

// Calls visit(index, string_view) for each element of an array of strings, in
// order; stops early when visit returns false.
template <typename Visit>
Status visit_string_elements(const GgufValue &array, Visit visit) {
  if (array.type != GgufValueType::array || array.array_type != GgufValueType::string) {
    return make_status(StatusCode::invalid_argument, "not an array of strings");
  }
  ByteCursor cursor(array.array_data, array.array_bytes);
  const FieldOwner owner = FieldOwner::key(0);
  for (uint64_t i = 0; i < array.array_count; ++i) {
    std::string_view element;
    BALLAST_RETURN_IF_ERROR(cursor.read_string(&element, owner.element(i), "string_length", "string"));
    if (!visit(i, element)) break;
  }
  return Status::ok();
}

}  // namespace gguf_parse
}  // namespace ballast
