#include "tests/gguf/labeled_gguf_bytes.h"

#include <cstring>

namespace ballast {
namespace testing {

void LabeledGgufBytes::append(const void *data, size_t size, const std::string &label, std::vector<std::string> also) {
  const size_t at = bytes_.size();
  bytes_.resize(at + size);
  if (size > 0) std::memcpy(bytes_.data() + at, data, size);
  fields_.push_back(LabeledField{label, at, size, std::move(also)});
}

void LabeledGgufBytes::u8(uint8_t v, const std::string &label, std::vector<std::string> also) {
  append(&v, sizeof(v), label, std::move(also));
}
void LabeledGgufBytes::u32(uint32_t v, const std::string &label, std::vector<std::string> also) {
  append(&v, sizeof(v), label, std::move(also));
}
void LabeledGgufBytes::u64(uint64_t v, const std::string &label, std::vector<std::string> also) {
  append(&v, sizeof(v), label, std::move(also));
}
void LabeledGgufBytes::f32(float v, const std::string &label, std::vector<std::string> also) {
  append(&v, sizeof(v), label, std::move(also));
}

void LabeledGgufBytes::string(const std::string &text, const std::string &owner, const std::string &length_field,
                              const std::string &bytes_field, std::vector<std::string> also) {
  u64(text.size(), owner + " " + length_field, also);
  // A cut inside the bytes is caught by the length check: the reader names the length field.
  also.push_back(owner + " " + length_field);
  append(text.data(), text.size(), owner + " " + bytes_field, std::move(also));
}

void LabeledGgufBytes::pad_to(size_t alignment, const std::string &label) {
  const size_t padded = (bytes_.size() + alignment - 1) / alignment * alignment;
  if (padded > bytes_.size()) zeros(padded - bytes_.size(), label);
}

void LabeledGgufBytes::zeros(size_t count, const std::string &label) {
  const size_t at = bytes_.size();
  bytes_.resize(at + count, 0);
  fields_.push_back(LabeledField{label, at, count, {}});
}

const LabeledField *LabeledGgufBytes::find(const std::string &label) const {
  for (const LabeledField &f : fields_) {
    if (f.label == label) return &f;
  }
  return nullptr;
}

const LabeledField *LabeledGgufBytes::field_at(size_t offset) const {
  for (const LabeledField &f : fields_) {
    if (offset >= f.offset && offset < f.offset + f.size) return &f;
  }
  return nullptr;
}

bool LabeledGgufBytes::patch(const std::string &label, const void *data, size_t size) {
  const LabeledField *f = find(label);
  if (f == nullptr || f->size != size) return false;
  std::memcpy(bytes_.data() + f->offset, data, size);
  return true;
}

bool LabeledGgufBytes::patch_u8(const std::string &label, uint8_t v) { return patch(label, &v, sizeof(v)); }
bool LabeledGgufBytes::patch_u32(const std::string &label, uint32_t v) { return patch(label, &v, sizeof(v)); }
bool LabeledGgufBytes::patch_u64(const std::string &label, uint64_t v) { return patch(label, &v, sizeof(v)); }

}  // namespace testing
}  // namespace ballast
