// GgufFile::parse: header, metadata, tensor infos, data section. Each step
// validates against the byte size before use (see gguf_parse_steps.h).
#include "models/gguf/gguf_reader.h"

#include <algorithm>

#include "models/gguf/gguf_parse_steps.h"

namespace ballast {
namespace {

constexpr uint32_t kByteSwappedMagic = 0x47475546u;  // "FUGG": "GGUF" written as a big-endian u32
// Most models have < 50 keys and < 1000 tensors; more grow the vectors as they parse.
constexpr uint64_t kInitialReserve = 1024;

uint32_t byte_swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

struct Header {
  uint32_t version = 0;
  uint64_t tensor_count = 0;
  uint64_t kv_count = 0;
};

Status check_version(uint32_t version) {
  const FieldOwner owner = FieldOwner::header();
  if (version == 2 || version == 3) return Status::ok();
  if (version == 1) {
    return field_error(StatusCode::unsupported, owner, "version", 4,
                       "= 1: unsupported version (GGUF v1 uses 32-bit counts; only v2 and v3 are supported)");
  }
  if (version != 0 && (version & 0xffffu) == 0) {
    return field_error(StatusCode::unsupported, owner, "version", 4,
                       "= 0x%08x reads as %u byte-swapped: big-endian GGUF files are not supported", version,
                       byte_swap32(version));
  }
  return field_error(StatusCode::unsupported, owner, "version", 4, "= %u: unsupported version (only 2 and 3 are supported)",
                     version);
}

// A count the rest of the file cannot hold at `min_bytes` per item is a lie.
Status check_count_fits(uint64_t count, uint64_t min_bytes, uint64_t remaining, const char *field, uint64_t field_offset,
                        const char *what) {
  if (count <= remaining / min_bytes) return Status::ok();
  return field_error(StatusCode::corrupt_file, FieldOwner::header(), field, field_offset,
                     "= %llu, but %s need at least %llu bytes each and only %llu bytes remain before end of file",
                     static_cast<unsigned long long>(count), what, static_cast<unsigned long long>(min_bytes),
                     static_cast<unsigned long long>(remaining));
}

Status parse_header(ByteCursor &cursor, Header *header) {
  const FieldOwner owner = FieldOwner::header();
  uint32_t magic = 0;
  BALLAST_RETURN_IF_ERROR(cursor.read(&magic, owner, "magic"));
  if (magic != kGgufMagic) {
    return field_error(StatusCode::corrupt_file, owner, "magic", 0, "= 0x%08x, expected 0x%08x (\"GGUF\")%s", magic,
                       kGgufMagic, magic == kByteSwappedMagic ? ": written big-endian, which is not supported" : "");
  }
  BALLAST_RETURN_IF_ERROR(cursor.read(&header->version, owner, "version"));
  BALLAST_RETURN_IF_ERROR(check_version(header->version));
  BALLAST_RETURN_IF_ERROR(cursor.read(&header->tensor_count, owner, "tensor_count"));
  BALLAST_RETURN_IF_ERROR(cursor.read(&header->kv_count, owner, "kv_count"));
  BALLAST_RETURN_IF_ERROR(check_count_fits(header->kv_count, gguf_parse::kMinKeyValueBytes, cursor.remaining(),
                                           "kv_count", 16, "keys"));
  return check_count_fits(header->tensor_count, gguf_parse::kMinTensorInfoBytes, cursor.remaining(), "tensor_count", 8,
                          "tensor infos");
}

}  // namespace

Result<GgufFile> GgufFile::parse(const uint8_t *data, size_t size) {
  if (data == nullptr && size != 0) return make_status(StatusCode::invalid_argument, "GGUF parse: null data with size %zu", size);
  GgufFile file;
  file.data_ = data;
  file.size_ = size;
  ByteCursor cursor(data, size);

  Header header;
  BALLAST_RETURN_IF_ERROR(parse_header(cursor, &header));
  file.version_ = header.version;

  // Counts are now known to fit the file, but a key takes ~100 bytes in
  // memory for >= 14 in the file: reserve a bounded amount and let entries
  // that really parse grow the vector.
  file.metadata_.reserve(std::min<uint64_t>(header.kv_count, kInitialReserve));
  for (uint64_t i = 0; i < header.kv_count; ++i) {
    GgufKeyValue kv;
    BALLAST_RETURN_IF_ERROR(gguf_parse::parse_key_value(cursor, i, &kv));
    file.metadata_.push_back(kv);
  }
  BALLAST_RETURN_IF_ERROR(gguf_parse::check_unique_keys(file.metadata_));
  BALLAST_RETURN_IF_ERROR(gguf_parse::read_alignment(file.metadata_, &file.alignment_));

  // Re-check against what is left now that the metadata's true size is known.
  BALLAST_RETURN_IF_ERROR(check_count_fits(header.tensor_count, gguf_parse::kMinTensorInfoBytes, cursor.remaining(),
                                           "tensor_count", 8, "tensor infos (after the metadata)"));
  file.tensors_.reserve(std::min<uint64_t>(header.tensor_count, kInitialReserve));
  for (uint64_t i = 0; i < header.tensor_count; ++i) {
    GgufTensorInfo info;
    BALLAST_RETURN_IF_ERROR(gguf_parse::parse_tensor_info(cursor, i, &info));
    file.tensors_.push_back(info);
  }
  BALLAST_RETURN_IF_ERROR(gguf_parse::check_unique_tensor_names(file.tensors_));

  // The data section starts at the first multiple of the alignment after the
  // tensor infos (cursor.offset() <= size, so this cannot overflow).
  const uint64_t infos_end = cursor.offset();
  file.data_section_offset_ = (infos_end + file.alignment_ - 1) / file.alignment_ * file.alignment_;
  if (!file.tensors_.empty() && file.data_section_offset_ > size) {
    return field_error(StatusCode::corrupt_file, FieldOwner::header(), "data section", infos_end,
                       "starts at %llu (tensor infos end at %llu, aligned to %u), past end of file (file size %zu)",
                       static_cast<unsigned long long>(file.data_section_offset_),
                       static_cast<unsigned long long>(infos_end), file.alignment_, size);
  }
  BALLAST_RETURN_IF_ERROR(gguf_parse::place_tensor_data(file.tensors_, data, size, file.data_section_offset_,
                                                        file.alignment_));
  return file;
}

const GgufValue *GgufFile::find(std::string_view key) const {
  for (const GgufKeyValue &kv : metadata_) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

const GgufTensorInfo *GgufFile::find_tensor(std::string_view name) const {
  for (const GgufTensorInfo &t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace ballast
