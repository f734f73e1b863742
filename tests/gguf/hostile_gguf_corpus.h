// A generated corpus of malformed GGUF files, one per class of attack the
// reader must refuse (DESIGN.md section 5): a valid file truncated at every
// byte, lying counts, huge strings, bad dims/types/offsets, overflowing
// products, bad alignment, duplicates, overlapping data, and byte flips.
// Used by the unit tests and written to disk to seed the fuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"
#include "tests/gguf/labeled_gguf_bytes.h"

namespace ballast {
namespace testing {

struct HostileGgufCase {
  std::string name;  // usable as a file name
  std::vector<uint8_t> bytes;
  // false only for byte flips, which may happen to leave a valid file; the
  // reader must still not crash, and an error must still name an offset.
  bool must_reject = true;
  StatusCode code = StatusCode::corrupt_file;
  std::vector<std::string> any_of;  // the message contains at least one of these (if any)
  std::vector<std::string> all_of;  // ... and all of these
  // The message's "at offset N" must have N <= this (the error is not
  // reported past where the damage is).
  size_t max_error_offset = SIZE_MAX;
};

// How the valid base file is built; the defaults give a valid v3 file with
// 9 keys (every kind of value) and 3 tensors (F32, Q8_0, Q4_K).
struct BaseGgufOptions {
  uint32_t version = 3;
  std::string key2_name = "llama.context_length";
  std::string tensor1_name = "blk.0.attn_q.weight";
  uint32_t alignment_type = 4;  // GgufValueType of general.alignment: 4 = u32
  uint64_t alignment_value = 32;
};

// The valid base file, with every field labelled as the reader names it.
LabeledGgufBytes make_base_gguf(const BaseGgufOptions &options = {});

// Every hostile case (a few thousand; each file is under 1 KiB).
std::vector<HostileGgufCase> make_hostile_gguf_corpus();

}  // namespace testing
}  // namespace ballast
