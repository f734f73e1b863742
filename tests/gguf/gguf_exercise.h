// Touches everything a parsed GgufFile offers: every typed getter and
// value_to_string on every key, every tensor's data bytes. Used by the hostile
// tests and the fuzzer, so that whatever parse accepts is also safe to use.
#pragma once

#include <cstdint>
#include <string>

#include "models/gguf/gguf_reader.h"

namespace ballast {
namespace testing {

struct GgufExerciseReport {
  uint64_t checksum = 0;   // of values and bytes read, so nothing is optimised away
  std::string violation;   // empty, or the first broken invariant (data outside the file, ...)
};

GgufExerciseReport exercise_gguf_file(const GgufFile &file, const uint8_t *bytes, size_t size);

}  // namespace testing
}  // namespace ballast
