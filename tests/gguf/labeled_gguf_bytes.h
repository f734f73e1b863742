// Raw GGUF bytes built field by field, remembering where each field lies and
// what the reader calls it ("key 2 ('llama.context_length') value"), so the
// hostile corpus can cut or patch a named field and know which field the
// reader's error must name. Independent of the reader (and of GgufWriter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ballast {
namespace testing {

struct LabeledField {
  std::string label;                 // "<owner> <field>", as in reader messages
  size_t offset = 0;                 // first byte in the file
  size_t size = 0;                   // bytes
  std::vector<std::string> also;     // other labels a cut inside this field may be reported as
};

class LabeledGgufBytes {
 public:
  void u8(uint8_t value, const std::string &label, std::vector<std::string> also = {});
  void u32(uint32_t value, const std::string &label, std::vector<std::string> also = {});
  void u64(uint64_t value, const std::string &label, std::vector<std::string> also = {});
  void f32(float value, const std::string &label, std::vector<std::string> also = {});
  // u64 length ("<owner> <length_field>") then bytes ("<owner> <bytes_field>").
  void string(const std::string &text, const std::string &owner, const std::string &length_field,
              const std::string &bytes_field, std::vector<std::string> also = {});
  // Zero bytes up to the next multiple of `alignment` (no field if already there).
  void pad_to(size_t alignment, const std::string &label);
  void zeros(size_t count, const std::string &label);

  // The field with this exact label; nullptr if none.
  const LabeledField *find(const std::string &label) const;
  // The field that contains byte `offset`; nullptr past the end.
  const LabeledField *field_at(size_t offset) const;
  // Overwrite a field in place (the value must have the field's size).
  bool patch_u8(const std::string &label, uint8_t value);
  bool patch_u32(const std::string &label, uint32_t value);
  bool patch_u64(const std::string &label, uint64_t value);

  const std::vector<uint8_t> &bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  const std::vector<LabeledField> &fields() const { return fields_; }

 private:
  void append(const void *data, size_t size, const std::string &label, std::vector<std::string> also);
  bool patch(const std::string &label, const void *data, size_t size);

  std::vector<uint8_t> bytes_;
  std::vector<LabeledField> fields_;
};

}  // namespace testing
}  // namespace ballast
