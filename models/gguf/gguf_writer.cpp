#include "models/gguf/gguf_writer.h"

#include <cstdio>
#include <cstring>

namespace ballast {
namespace {

template <typename T>
void append_pod(std::vector<uint8_t> &out, T value) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));  // GGUF is little-endian; so are all our targets.
}

void append_string(std::vector<uint8_t> &out, const std::string &s) {
  append_pod<uint64_t>(out, s.size());
  const size_t at = out.size();
  out.resize(at + s.size());
  if (!s.empty()) std::memcpy(out.data() + at, s.data(), s.size());
}

template <typename T>
std::vector<uint8_t> pod_payload(T value) {
  std::vector<uint8_t> out;
  append_pod(out, value);
  return out;
}

template <typename T>
std::vector<uint8_t> array_payload(GgufValueType element_type, const std::vector<T> &values) {
  std::vector<uint8_t> out;
  append_pod<uint32_t>(out, static_cast<uint32_t>(element_type));
  append_pod<uint64_t>(out, values.size());
  for (const T &v : values) append_pod(out, v);
  return out;
}

}  // namespace

GgufWriter::GgufWriter(uint32_t version, uint32_t alignment) : version_(version), alignment_(alignment) {
  if (alignment_ != kGgufDefaultAlignment) set_u32("general.alignment", alignment_);
}

void GgufWriter::put_key(const std::string &key, GgufValueType type, std::vector<uint8_t> payload) {
  for (Key &existing : keys_) {
    if (existing.name == key) {
      existing.type = type;
      existing.payload = std::move(payload);
      return;
    }
  }
  keys_.push_back(Key{key, type, std::move(payload)});
}

void GgufWriter::set_u8(const std::string &k, uint8_t v) { put_key(k, GgufValueType::uint8, pod_payload(v)); }
void GgufWriter::set_i8(const std::string &k, int8_t v) { put_key(k, GgufValueType::int8, pod_payload(v)); }
void GgufWriter::set_u16(const std::string &k, uint16_t v) { put_key(k, GgufValueType::uint16, pod_payload(v)); }
void GgufWriter::set_i16(const std::string &k, int16_t v) { put_key(k, GgufValueType::int16, pod_payload(v)); }
void GgufWriter::set_u32(const std::string &k, uint32_t v) { put_key(k, GgufValueType::uint32, pod_payload(v)); }
void GgufWriter::set_i32(const std::string &k, int32_t v) { put_key(k, GgufValueType::int32, pod_payload(v)); }
void GgufWriter::set_u64(const std::string &k, uint64_t v) { put_key(k, GgufValueType::uint64, pod_payload(v)); }
void GgufWriter::set_i64(const std::string &k, int64_t v) { put_key(k, GgufValueType::int64, pod_payload(v)); }
void GgufWriter::set_f32(const std::string &k, float v) { put_key(k, GgufValueType::float32, pod_payload(v)); }
void GgufWriter::set_f64(const std::string &k, double v) { put_key(k, GgufValueType::float64, pod_payload(v)); }
void GgufWriter::set_bool(const std::string &k, bool v) {
  put_key(k, GgufValueType::boolean, pod_payload<uint8_t>(v ? 1 : 0));
}
void GgufWriter::set_string(const std::string &k, const std::string &v) {
  std::vector<uint8_t> payload;
  append_string(payload, v);
  put_key(k, GgufValueType::string, std::move(payload));
}
void GgufWriter::set_string_array(const std::string &k, const std::vector<std::string> &values) {
  std::vector<uint8_t> payload;
  append_pod<uint32_t>(payload, static_cast<uint32_t>(GgufValueType::string));
  append_pod<uint64_t>(payload, values.size());
  for (const std::string &v : values) append_string(payload, v);
  put_key(k, GgufValueType::array, std::move(payload));
}
void GgufWriter::set_f32_array(const std::string &k, const std::vector<float> &values) {
  put_key(k, GgufValueType::array, array_payload(GgufValueType::float32, values));
}
void GgufWriter::set_i32_array(const std::string &k, const std::vector<int32_t> &values) {
  put_key(k, GgufValueType::array, array_payload(GgufValueType::int32, values));
}
void GgufWriter::set_u32_array(const std::string &k, const std::vector<uint32_t> &values) {
  put_key(k, GgufValueType::array, array_payload(GgufValueType::uint32, values));
}
void GgufWriter::set_raw(const std::string &k, GgufValueType type, std::vector<uint8_t> payload) {
  put_key(k, type, std::move(payload));
}

void GgufWriter::add_tensor(const std::string &name, TensorType type, const std::vector<uint64_t> &shape,
                            std::vector<uint8_t> data) {
  tensors_.push_back(Tensor{name, type, shape, std::move(data), nullptr});
}

void GgufWriter::add_tensor_producer(const std::string &name, TensorType type, const std::vector<uint64_t> &shape,
                                     TensorProducer produce) {
  tensors_.push_back(Tensor{name, type, shape, {}, std::move(produce)});
}

Result<uint64_t> GgufWriter::tensor_bytes(TensorType type, const std::vector<uint64_t> &shape) {
  const TensorTypeInfo *info = tensor_type_info(type);
  if (info == nullptr) return make_status(StatusCode::unsupported, "unknown tensor type %u", static_cast<unsigned>(type));
  if (shape.empty() || shape.size() > kGgufMaxDims) {
    return make_status(StatusCode::invalid_argument, "tensor must have 1..%u dims, got %zu", kGgufMaxDims, shape.size());
  }
  if (shape[0] % info->block_elements != 0) {
    return make_status(StatusCode::invalid_argument, "row length %llu is not a multiple of the %s block size %u",
                       static_cast<unsigned long long>(shape[0]), info->name, info->block_elements);
  }
  uint64_t elements = 1;
  for (uint64_t d : shape) {
    if (d != 0 && elements > UINT64_MAX / d) return make_status(StatusCode::invalid_argument, "tensor element count overflows");
    elements *= d;
  }
  const uint64_t blocks = elements / info->block_elements;
  if (blocks != 0 && info->block_bytes > UINT64_MAX / blocks) {
    return make_status(StatusCode::invalid_argument, "tensor byte size overflows");
  }
  return blocks * info->block_bytes;
}

Status GgufWriter::serialize(const std::function<Status(const uint8_t *, size_t)> &emit) const {
  if (version_ != 2 && version_ != 3) return make_status(StatusCode::invalid_argument, "GGUF writer supports versions 2 and 3, not %u", version_);
  if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0) {
    return make_status(StatusCode::invalid_argument, "alignment %u is not a power of two", alignment_);
  }
  std::vector<uint8_t> out;  // header, keys, tensor infos, padding
  append_pod<uint32_t>(out, kGgufMagic);
  append_pod<uint32_t>(out, version_);
  append_pod<uint64_t>(out, tensors_.size());
  append_pod<uint64_t>(out, keys_.size());
  for (const Key &key : keys_) {
    append_string(out, key.name);
    append_pod<uint32_t>(out, static_cast<uint32_t>(key.type));
    out.insert(out.end(), key.payload.begin(), key.payload.end());
  }
  uint64_t offset = 0;  // relative to the start of the data section
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> sizes;
  for (const Tensor &t : tensors_) {
    BALLAST_ASSIGN_OR_RETURN(uint64_t bytes, tensor_bytes(t.type, t.shape));
    if (!t.produce && bytes != t.data.size()) {
      return make_status(StatusCode::invalid_argument, "tensor '%s' has %zu data bytes, its shape and type need %llu",
                         t.name.c_str(), t.data.size(), static_cast<unsigned long long>(bytes));
    }
    append_string(out, t.name);
    append_pod<uint32_t>(out, static_cast<uint32_t>(t.shape.size()));
    for (uint64_t d : t.shape) append_pod<uint64_t>(out, d);
    append_pod<uint32_t>(out, static_cast<uint32_t>(t.type));
    append_pod<uint64_t>(out, offset);
    offsets.push_back(offset);
    sizes.push_back(bytes);
    offset += bytes;
    offset = (offset + alignment_ - 1) / alignment_ * alignment_;
  }
  out.resize((out.size() + alignment_ - 1) / alignment_ * alignment_, 0);
  BALLAST_RETURN_IF_ERROR(emit(out.data(), out.size()));

  const std::vector<uint8_t> zeros(alignment_, 0);
  uint64_t written = 0;  // bytes of the data section emitted so far
  std::vector<uint8_t> produced;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const Tensor &t = tensors_[i];
    BALLAST_RETURN_IF_ERROR(emit(zeros.data(), static_cast<size_t>(offsets[i] - written)));
    if (t.produce) {
      produced.clear();
      BALLAST_RETURN_IF_ERROR(t.produce(produced));
      if (produced.size() != sizes[i]) {
        return make_status(StatusCode::internal, "tensor '%s' producer gave %zu bytes, its shape and type need %llu",
                           t.name.c_str(), produced.size(), static_cast<unsigned long long>(sizes[i]));
      }
      BALLAST_RETURN_IF_ERROR(emit(produced.data(), produced.size()));
    } else {
      BALLAST_RETURN_IF_ERROR(emit(t.data.data(), t.data.size()));
    }
    written = offsets[i] + sizes[i];
  }
  if (!tensors_.empty()) BALLAST_RETURN_IF_ERROR(emit(zeros.data(), static_cast<size_t>(offset - written)));
  return Status::ok();
}

Result<std::vector<uint8_t>> GgufWriter::to_bytes() const {
  std::vector<uint8_t> out;
  BALLAST_RETURN_IF_ERROR(serialize([&out](const uint8_t *bytes, size_t count) {
    out.insert(out.end(), bytes, bytes + count);
    return Status::ok();
  }));
  return out;
}

Status GgufWriter::write_file(const std::string &path) const {
  const std::string temp_path = path + ".tmp";
  FILE *f = std::fopen(temp_path.c_str(), "wb");
  if (f == nullptr) return make_status(StatusCode::io_error, "cannot open '%s' for writing", temp_path.c_str());
  Status status = serialize([f, &temp_path](const uint8_t *bytes, size_t count) {
    if (count != 0 && std::fwrite(bytes, 1, count, f) != count) {
      return make_status(StatusCode::io_error, "short write to '%s'", temp_path.c_str());
    }
    return Status::ok();
  });
  const bool closed = std::fclose(f) == 0;
  if (status.is_ok() && !closed) status = make_status(StatusCode::io_error, "short write to '%s'", temp_path.c_str());
  if (!status.is_ok()) {
    std::remove(temp_path.c_str());
    return status;
  }
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    std::remove(temp_path.c_str());
    return make_status(StatusCode::io_error, "cannot rename '%s' to '%s'", temp_path.c_str(), path.c_str());
  }
  return Status::ok();
}

}  // namespace ballast
