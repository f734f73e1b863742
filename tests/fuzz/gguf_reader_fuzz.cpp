// libFuzzer target for the GGUF reader: parse arbitrary bytes; when they
// parse, use everything the file offers (every getter and value_to_string on
// every key, every byte of every tensor). A crash, sanitizer report or broken
// invariant is a finding.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "models/gguf/gguf_reader.h"
#include "tests/gguf/gguf_exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // An exactly-sized copy, so ASan flags any read past the end.
  std::vector<uint8_t> bytes(data, data + size);
  const uint8_t *start = bytes.empty() ? nullptr : bytes.data();
  ballast::Result<ballast::GgufFile> parsed = ballast::GgufFile::parse(start, bytes.size());
  if (!parsed.is_ok()) {
    if (parsed.status().message().empty()) __builtin_trap();  // every rejection must say why
    return 0;
  }
  const ballast::testing::GgufExerciseReport report =
      ballast::testing::exercise_gguf_file(parsed.value(), start, bytes.size());
  if (!report.violation.empty()) {
    std::fprintf(stderr, "GGUF reader invariant broken: %s\n", report.violation.c_str());
    __builtin_trap();
  }
  return 0;
}
