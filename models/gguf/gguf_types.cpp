#include "models/gguf/gguf_types.h"

namespace ballast {

size_t gguf_scalar_size(GgufValueType type) {
  switch (type) {
    case GgufValueType::uint8:
    case GgufValueType::int8:
    case GgufValueType::boolean: return 1;
    case GgufValueType::uint16:
    case GgufValueType::int16: return 2;
    case GgufValueType::uint32:
    case GgufValueType::int32:
    case GgufValueType::float32: return 4;
    case GgufValueType::uint64:
    case GgufValueType::int64:
    case GgufValueType::float64: return 8;
    case GgufValueType::string:
    case GgufValueType::array: return 0;
  }
  return 0;
}

const char *gguf_value_type_name(GgufValueType type) {
  switch (type) {
    case GgufValueType::uint8: return "u8";
    case GgufValueType::int8: return "i8";
    case GgufValueType::uint16: return "u16";
    case GgufValueType::int16: return "i16";
    case GgufValueType::uint32: return "u32";
    case GgufValueType::int32: return "i32";
    case GgufValueType::float32: return "f32";
    case GgufValueType::boolean: return "bool";
    case GgufValueType::string: return "string";
    case GgufValueType::array: return "array";
    case GgufValueType::uint64: return "u64";
    case GgufValueType::int64: return "i64";
    case GgufValueType::float64: return "f64";
  }
  return "unknown";
}

}  // namespace ballast
