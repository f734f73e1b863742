// SHA-256 (FIPS 180-4) of a file, as lowercase hex: the golden test checks
// that ballast-mkmodel still writes the exact model file the fixtures came from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/status.h"

namespace ballast {
namespace golden {

// Hex digest of `size` bytes at `data`.
std::string sha256_hex(const uint8_t *data, size_t size);
// Hex digest of the whole file at `path`.
Result<std::string> sha256_file_hex(const std::string &path);

}  // namespace golden
}  // namespace ballast
