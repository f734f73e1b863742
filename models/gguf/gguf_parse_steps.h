// The steps of GgufFile::parse, one file each: metadata values
// (gguf_parse_metadata.cpp), tensor infos and data placement
// (gguf_parse_tensors.cpp). Internal to the reader; other code uses
// gguf_reader.h.
#pragma once

#include <cstdint>
#include <vector>

#include "models/gguf/gguf_byte_cursor.h"
#include "models/gguf/gguf_reader.h"

namespace ballast {
namespace gguf_parse {

// Smallest possible encodings, used to reject counts the file cannot hold
// before anything is reserved for them.
// key: u64 name length + >= 1 name byte + u32 value type + >= 1 value byte.
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;
// tensor info: u64 name length + >= 1 name byte + u32 n_dims + >= 1 u64 dim + u32 type + u64 offset.
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;

// Decodes one scalar of `type` from `bytes` (the caller checked that
// gguf_scalar_size(type) bytes exist): unsigned -> number.u64, signed ->
// number.i64, floats -> number.f64, bool -> number.u64 (0/1; other bytes are
// an error naming `owner` and `offset`).
Status decode_scalar(GgufValueType type, const uint8_t *bytes, const FieldOwner &owner, uint64_t offset,
                     GgufValue *out);

// Reads key `index` (name, type, value) at the cursor. Array values are
// validated element by element (string lengths) but not copied.
Status parse_key_value(ByteCursor &cursor, uint64_t index, GgufKeyValue *out);

// Error if two keys share a name (names the later one and both offsets).
Status check_unique_keys(const std::vector<GgufKeyValue> &metadata);

// general.alignment if present (must be a u32, non-zero power of two), else 32.
Status read_alignment(const std::vector<GgufKeyValue> &metadata, uint32_t *alignment);

// Reads tensor info `index`: name, shape, type, relative data offset; checks
// the shape (1..4 dims, no zero or negative dim, no overflow, whole blocks).
Status parse_tensor_info(ByteCursor &cursor, uint64_t index, GgufTensorInfo *out);

// Error if two tensors share a name.
Status check_unique_tensor_names(const std::vector<GgufTensorInfo> &tensors);

// Turns relative offsets into absolute ones and data pointers: each offset
// aligned, each tensor's bytes inside the file, no two tensors overlapping.
Status place_tensor_data(std::vector<GgufTensorInfo> &tensors, const uint8_t *file, uint64_t file_size,
                         uint64_t data_section_offset, uint32_t alignment);

}  // namespace gguf_parse
}  // namespace ballast
