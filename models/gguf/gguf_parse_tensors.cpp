// Tensor info parsing (name, shape, type, offset) and data placement.
#include <algorithm>
#include <numeric>

#include "models/gguf/gguf_parse_steps.h"

namespace ballast {
namespace gguf_parse {
namespace {

constexpr uint64_t kMaxSignedDim = static_cast<uint64_t>(INT64_MAX);
const char *const kDimFields[kGgufMaxDims] = {"ne[0]", "ne[1]", "ne[2]", "ne[3]"};

Status read_type(ByteCursor &cursor, const FieldOwner &owner, const TensorTypeInfo **info) {
  uint32_t raw = 0;
  const uint64_t offset = cursor.offset();
  BALLAST_RETURN_IF_ERROR(cursor.read(&raw, owner, "type"));
  *info = tensor_type_info(raw);
  if (*info != nullptr) return Status::ok();
  const char *name = ggml_type_name(raw);
  if (std::string_view(name) == "unknown") {
    return field_error(StatusCode::corrupt_file, owner, "type", offset, "= %u is not a known ggml tensor type", raw);
  }
  return field_error(StatusCode::unsupported, owner, "type", offset, "= %u (%s) is not supported by Ballast", raw, name);
}

}  // namespace

Status parse_tensor_info(ByteCursor &cursor, uint64_t index, GgufTensorInfo *out) {
  out->info_offset = cursor.offset();
  const uint64_t name_offset = cursor.offset() + 8;
  BALLAST_RETURN_IF_ERROR(cursor.read_string(&out->name, FieldOwner::tensor(index), "name_length", "name"));
  if (out->name.empty()) {
    return field_error(StatusCode::corrupt_file, FieldOwner::tensor(index), "name", name_offset, "tensor name is empty");
  }
  const FieldOwner owner = FieldOwner::tensor(index, out->name);

  const uint64_t n_dims_offset = cursor.offset();
  BALLAST_RETURN_IF_ERROR(cursor.read(&out->n_dims, owner, "n_dims"));
  if (out->n_dims == 0 || out->n_dims > kGgufMaxDims) {
    return field_error(StatusCode::corrupt_file, owner, "n_dims", n_dims_offset, "= %u, must be 1..%u", out->n_dims,
                       kGgufMaxDims);
  }
  uint64_t elements = 1;  // product of dims, kept <= INT64_MAX (ggml counts in int64)
  const uint64_t ne0_offset = cursor.offset();
  for (uint32_t d = 0; d < out->n_dims; ++d) {
    const uint64_t offset = cursor.offset();
    uint64_t dim = 0;
    BALLAST_RETURN_IF_ERROR(cursor.read(&dim, owner, kDimFields[d]));
    if (dim == 0) return field_error(StatusCode::corrupt_file, owner, kDimFields[d], offset, "= 0, dimensions must be >= 1");
    if (dim > kMaxSignedDim) {
      return field_error(StatusCode::corrupt_file, owner, kDimFields[d], offset, "= %llu is negative as a signed 64-bit dimension",
                         static_cast<unsigned long long>(dim));
    }
    if (elements > kMaxSignedDim / dim) {
      return field_error(StatusCode::corrupt_file, owner, kDimFields[d], offset,
                         "= %llu makes the element count overflow (product of dims exceeds 2^63-1)",
                         static_cast<unsigned long long>(dim));
    }
    elements *= dim;
    out->shape[d] = dim;
  }
  out->element_count = elements;

  const TensorTypeInfo *info = nullptr;
  const uint64_t type_offset = cursor.offset();
  BALLAST_RETURN_IF_ERROR(read_type(cursor, owner, &info));
  out->type = info->type;
  if (out->shape[0] % info->block_elements != 0) {
    return field_error(StatusCode::corrupt_file, owner, "ne[0]", ne0_offset,
                       "= %llu, row length is not a multiple of the %s block size %u",
                       static_cast<unsigned long long>(out->shape[0]), info->name, info->block_elements);
  }
  const uint64_t blocks = elements / info->block_elements;
  if (blocks > UINT64_MAX / info->block_bytes) {
    return field_error(StatusCode::corrupt_file, owner, "type", type_offset,
                       "= %s makes the byte size overflow (%llu blocks of %u bytes)", info->name,
                       static_cast<unsigned long long>(blocks), info->block_bytes);
  }
  out->byte_size = blocks * info->block_bytes;
  return cursor.read(&out->relative_offset, owner, "offset");
}

Status check_unique_tensor_names(const std::vector<GgufTensorInfo> &tensors) {
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&tensors](size_t a, size_t b) {
    return tensors[a].name != tensors[b].name ? tensors[a].name < tensors[b].name : a < b;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensorInfo &first = tensors[order[i - 1]];
    const GgufTensorInfo &again = tensors[order[i]];
    if (first.name == again.name) {
      return field_error(StatusCode::corrupt_file, FieldOwner::tensor(order[i], again.name), "name",
                         again.info_offset + 8, "duplicate tensor name, first used by tensor %zu at offset %llu",
                         order[i - 1], static_cast<unsigned long long>(first.info_offset + 8));
    }
  }
  return Status::ok();
}

Status place_tensor_data(std::vector<GgufTensorInfo> &tensors, const uint8_t *file, uint64_t file_size,
                         uint64_t data_section_offset, uint32_t alignment) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    GgufTensorInfo &t = tensors[i];
    const FieldOwner owner = FieldOwner::tensor(i, t.name);
    // The offset field is the info's last 8 bytes.
    const uint64_t field_offset = t.info_offset + 8 + t.name.size() + 4 + 8ull * t.n_dims + 4;
    if (t.relative_offset % alignment != 0) {
      return field_error(StatusCode::corrupt_file, owner, "offset", field_offset,
                         "= %llu is not a multiple of the alignment %u", static_cast<unsigned long long>(t.relative_offset),
                         alignment);
    }
    const uint64_t room = file_size - data_section_offset;  // caller checked data_section_offset <= file_size
    if (t.relative_offset > room || t.byte_size > room - t.relative_offset) {
      return field_error(StatusCode::corrupt_file, owner, "data", field_offset,
                         "%llu bytes at data-section offset %llu (data section starts at %llu) reach past end of "
                         "file (file size %llu)",
                         static_cast<unsigned long long>(t.byte_size), static_cast<unsigned long long>(t.relative_offset),
                         static_cast<unsigned long long>(data_section_offset), static_cast<unsigned long long>(file_size));
    }
    t.data_offset = data_section_offset + t.relative_offset;
    t.data = file + t.data_offset;
  }

  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&tensors](size_t a, size_t b) {
    return tensors[a].data_offset != tensors[b].data_offset ? tensors[a].data_offset < tensors[b].data_offset : a < b;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensorInfo &before = tensors[order[i - 1]];
    const GgufTensorInfo &after = tensors[order[i]];
    if (before.data_offset + before.byte_size > after.data_offset) {  // both ranges are inside the file: no overflow
      return make_status(StatusCode::corrupt_file,
                         "tensor %zu ('%s') data at offset %llu: bytes [%llu, %llu) overlap tensor %zu ('%s') bytes "
                         "[%llu, %llu)",
                         order[i], printable_name(after.name).c_str(), static_cast<unsigned long long>(after.data_offset),
                         static_cast<unsigned long long>(after.data_offset),
                         static_cast<unsigned long long>(after.data_offset + after.byte_size), order[i - 1],
                         printable_name(before.name).c_str(), static_cast<unsigned long long>(before.data_offset),
                         static_cast<unsigned long long>(before.data_offset + before.byte_size));
    }
  }
  return Status::ok();
}

}  // namespace gguf_parse
}  // namespace ballast
