// Crash-safe state files for `ballast stream --state FILE`.
//
// On disk (host byte order, little-endian on every supported target):
//   StateFileHeader (64 bytes), then payload_bytes of payload.
// The header carries a magic, the format version, the payload size, the hash
// of the model file, the hash of the stream configuration, and FNV-1a-64
// checksums of the payload and of the header itself. A file whose magic,
// version, sizes, model, configuration or checksums do not match is refused
// with an error naming the mismatch; nothing of it is loaded.
//
// Writing is atomic: the bytes go to FILE.tmp, which is fsync'ed, renamed
// over FILE, and the directory is fsync'ed. A crash at any moment leaves
// either the previous complete file or the new complete file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/status.h"

namespace ballast {

constexpr char kStateFileMagic[8] = {'B', 'L', 'S', 'T', 'A', 'T', 'E', '\0'};
constexpr uint32_t kStateFileVersion = 1;

struct StateFileHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;      // sizeof(StateFileHeader)
  uint64_t payload_bytes;
  uint64_t model_hash;
  uint64_t config_hash;
  uint64_t payload_checksum;  // fnv1a64 of the payload
  uint64_t reserved;          // zero
  uint64_t header_checksum;   // fnv1a64 of the 56 bytes above
};
static_assert(sizeof(StateFileHeader) == 64, "state file header is 64 bytes");

// FNV-1a 64 over bytes, continuing from `hash` (start with kFnvOffset).
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
uint64_t fnv1a64(const void *data, size_t n, uint64_t hash = kFnvOffset);

// Hash of a model file's bytes: FNV-1a-64 over its 8-byte words (and the
// tail bytes), so two different files of the same shape never share state.
uint64_t model_bytes_hash(const uint8_t *data, size_t n);

// Paths are given ready-made (no allocation here): `tmp_path` is
// FILE.tmp, `dir_path` the directory holding FILE.
Status write_state_file(const char *path, const char *tmp_path, const char *dir_path, uint64_t model_hash,
                        uint64_t config_hash, const uint8_t *payload, uint64_t payload_bytes);

// Reads and validates FILE into buffer[0..capacity); returns the payload
// size (the payload starts at buffer). not found -> io_error whose message
// starts with "no state file"; any other mismatch -> corrupt_file /
// unsupported with the reason.
Result<uint64_t> read_state_file(const char *path, uint64_t model_hash, uint64_t config_hash, uint8_t *buffer,
                                 uint64_t capacity);

}  // namespace ballast
