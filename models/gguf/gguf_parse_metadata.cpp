// Metadata key/value parsing: key name, value type, scalar, string and array
// values. Arrays of arrays are rejected (no model file needs them).
#include <algorithm>
#include <numeric>

#include "models/gguf/gguf_parse_steps.h"

namespace ballast {
namespace gguf_parse {
namespace {

bool is_known_value_type(uint32_t raw) { return raw <= static_cast<uint32_t>(GgufValueType::float64); }

Status parse_array(ByteCursor &cursor, const FieldOwner &owner, GgufValue *out) {
  uint32_t raw_type = 0;
  const uint64_t type_offset = cursor.offset();
  BALLAST_RETURN_IF_ERROR(cursor.read(&raw_type, owner, "array_type"));
  if (!is_known_value_type(raw_type)) {
    return field_error(StatusCode::corrupt_file, owner, "array_type", type_offset, "= %u is not a GGUF value type",
                       raw_type);
  }
  const GgufValueType element_type = static_cast<GgufValueType>(raw_type);
  if (element_type == GgufValueType::array) {
    return field_error(StatusCode::unsupported, owner, "array_type", type_offset,
                       "arrays of arrays are not supported");
  }
  uint64_t count = 0;
  const uint64_t count_offset = cursor.offset();
  BALLAST_RETURN_IF_ERROR(cursor.read(&count, owner, "array_count"));
  out->array_type = element_type;
  out->array_count = count;
  out->array_data = cursor.here();
  const uint64_t data_start = cursor.offset();

  const uint64_t element_min_bytes = element_type == GgufValueType::string ? 8 : gguf_scalar_size(element_type);
  if (count > cursor.remaining() / element_min_bytes) {  // division: no count * size overflow
    return field_error(StatusCode::corrupt_file, owner, "array_count", count_offset,
                       "%llu %s elements need at least %llu bytes each, but only %llu bytes remain before end of file",
                       static_cast<unsigned long long>(count), gguf_value_type_name(element_type),
                       static_cast<unsigned long long>(element_min_bytes),
                       static_cast<unsigned long long>(cursor.remaining()));
  }
  if (element_type == GgufValueType::string) {
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view ignored;
      BALLAST_RETURN_IF_ERROR(cursor.read_string(&ignored, owner.element(i), "string_length", "string"));
    }
  } else if (element_type == GgufValueType::boolean) {
    for (uint64_t i = 0; i < count; ++i) {
      const uint8_t raw = out->array_data[i];
      if (raw > 1) {
        return field_error(StatusCode::corrupt_file, owner.element(i), "value", data_start + i,
                           "bool = %u is not 0 or 1", raw);
      }
    }
    BALLAST_RETURN_IF_ERROR(cursor.skip(count, owner, "array_data"));
  } else {
    BALLAST_RETURN_IF_ERROR(cursor.skip(count * element_min_bytes, owner, "array_data"));
  }
  out->array_bytes = cursor.offset() - data_start;
  return Status::ok();
}

}  // namespace

Status decode_scalar(GgufValueType type, const uint8_t *bytes, const FieldOwner &owner, uint64_t offset,
                     GgufValue *out) {
  auto load = [bytes](auto sample) {
    decltype(sample) value;
    std::memcpy(&value, bytes, sizeof(value));
    return value;
  };
  switch (type) {
    case GgufValueType::uint8: out->number.u64 = load(uint8_t{}); break;
    case GgufValueType::uint16: out->number.u64 = load(uint16_t{}); break;
    case GgufValueType::uint32: out->number.u64 = load(uint32_t{}); break;
    case GgufValueType::uint64: out->number.u64 = load(uint64_t{}); break;
    case GgufValueType::int8: out->number.i64 = load(int8_t{}); break;
    case GgufValueType::int16: out->number.i64 = load(int16_t{}); break;
    case GgufValueType::int32: out->number.i64 = load(int32_t{}); break;
    case GgufValueType::int64: out->number.i64 = load(int64_t{}); break;
    case GgufValueType::float32: out->number.f64 = load(float{}); break;
    case GgufValueType::float64: out->number.f64 = load(double{}); break;
    case GgufValueType::boolean: {
      const uint8_t raw = load(uint8_t{});
      if (raw > 1) return field_error(StatusCode::corrupt_file, owner, "value", offset, "bool = %u is not 0 or 1", raw);
      out->number.u64 = raw;
      break;
    }
    case GgufValueType::string:
    case GgufValueType::array: return make_status(StatusCode::internal, "decode_scalar called on a non-scalar type");
  }
  return Status::ok();
}

Status parse_key_value(ByteCursor &cursor, uint64_t index, GgufKeyValue *out) {
  out->key_offset = cursor.offset();
  const uint64_t name_offset = cursor.offset() + 8;
  BALLAST_RETURN_IF_ERROR(cursor.read_string(&out->key, FieldOwner::key(index), "name_length", "name"));
  if (out->key.empty()) return field_error(StatusCode::corrupt_file, FieldOwner::key(index), "name", name_offset, "key name is empty");
  const FieldOwner owner = FieldOwner::key(index, out->key);

  uint32_t raw_type = 0;
  const uint64_t type_offset = cursor.offset();
  BALLAST_RETURN_IF_ERROR(cursor.read(&raw_type, owner, "value_type"));
  if (!is_known_value_type(raw_type)) {
    return field_error(StatusCode::corrupt_file, owner, "value_type", type_offset, "= %u is not a GGUF value type",
                       raw_type);
  }
  GgufValue &value = out->value;
  value.type = static_cast<GgufValueType>(raw_type);
  value.file_offset = cursor.offset();
  switch (value.type) {
    case GgufValueType::string: return cursor.read_string(&value.string, owner, "string_length", "string");
    case GgufValueType::array: return parse_array(cursor, owner, &value);
    default: {
      const size_t bytes = gguf_scalar_size(value.type);
      BALLAST_RETURN_IF_ERROR(cursor.require(bytes, owner, "value"));
      BALLAST_RETURN_IF_ERROR(decode_scalar(value.type, cursor.here(), owner, cursor.offset(), &value));
      return cursor.skip(bytes, owner, "value");
    }
  }
}

Status check_unique_keys(const std::vector<GgufKeyValue> &metadata) {
  std::vector<size_t> order(metadata.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&metadata](size_t a, size_t b) {
    return metadata[a].key != metadata[b].key ? metadata[a].key < metadata[b].key : a < b;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufKeyValue &first = metadata[order[i - 1]];
    const GgufKeyValue &again = metadata[order[i]];
    if (first.key == again.key) {
      return field_error(StatusCode::corrupt_file, FieldOwner::key(order[i], again.key), "name", again.key_offset + 8,
                         "duplicate key, first defined by key %zu at offset %llu", order[i - 1],
                         static_cast<unsigned long long>(first.key_offset + 8));
    }
  }
  return Status::ok();
}

Status read_alignment(const std::vector<GgufKeyValue> &metadata, uint32_t *alignment) {
  *alignment = kGgufDefaultAlignment;
  for (size_t i = 0; i < metadata.size(); ++i) {
    const GgufKeyValue &kv = metadata[i];
    if (kv.key != "general.alignment") continue;
    const FieldOwner owner = FieldOwner::key(i, kv.key);
    if (kv.value.type != GgufValueType::uint32) {
      return field_error(StatusCode::corrupt_file, owner, "value_type", kv.value.file_offset - 4,
                         "= %s, general.alignment must be u32", gguf_value_type_name(kv.value.type));
    }
    const uint64_t value = kv.value.number.u64;
    if (value == 0 || (value & (value - 1)) != 0) {
      return field_error(StatusCode::corrupt_file, owner, "value", kv.value.file_offset,
                         "alignment = %llu is not a non-zero power of two", static_cast<unsigned long long>(value));
    }
    *alignment = static_cast<uint32_t>(value);
  }
  return Status::ok();
}

}  // namespace gguf_parse
}  // namespace ballast
