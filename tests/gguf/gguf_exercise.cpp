#include "tests/gguf/gguf_exercise.h"

namespace ballast {
namespace testing {
namespace {

template <typename T>
void mix(uint64_t &sum, const Result<T> &r) {
  sum = sum * 31 + (r.is_ok() ? 1 : 2) + r.status().message().size();
}

}  // namespace

GgufExerciseReport exercise_gguf_file(const GgufFile &file, const uint8_t *bytes, size_t size) {
  GgufExerciseReport report;
  uint64_t &sum = report.checksum;
  for (const GgufKeyValue &kv : file.metadata()) {
    if (kv.key.empty()) report.violation = "empty key accepted";
    if (file.find(kv.key) != &kv.value) report.violation = "find() does not return the key's own value";
    mix(sum, file.get_uint(kv.key));
    mix(sum, file.get_int(kv.key));
    mix(sum, file.get_float(kv.key));
    mix(sum, file.get_bool(kv.key));
    mix(sum, file.get_string(kv.key));
    mix(sum, file.get_string_array(kv.key));
    mix(sum, file.get_f32_array(kv.key));
    mix(sum, file.get_i32_array(kv.key));
    mix(sum, file.get_uint_or(kv.key, 7));
    mix(sum, file.get_float_or(kv.key, 7.0));
    mix(sum, file.get_bool_or(kv.key, true));
    mix(sum, file.get_string_or(kv.key, "x"));
    sum += file.value_to_string(kv.value).size();
    sum += file.value_to_string(kv.value, 1000000).size();
  }
  for (const GgufTensorInfo &t : file.tensors()) {
    if (t.data < bytes || t.data_offset > size || t.byte_size > size - t.data_offset || t.data != bytes + t.data_offset) {
      report.violation = "tensor data outside the file";
      continue;
    }
    if (t.n_dims < 1 || t.n_dims > kGgufMaxDims || t.element_count == 0) report.violation = "bad shape accepted";
    if (t.data_offset % file.alignment() != 0) report.violation = "unaligned tensor data accepted";
    if (file.find_tensor(t.name) != &t) report.violation = "find_tensor() does not return the tensor itself";
    for (uint64_t i = 0; i < t.byte_size; ++i) sum += t.data[i];
  }
  return report;
}

}  // namespace testing
}  // namespace ballast
