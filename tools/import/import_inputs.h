// Inputs of ballast-import, as models/train writes them:
//  - VARIANT.model.tsv: "hparam NAME VALUE" lines and
//    "tensor GGUF_NAME f16|f32 SHAPE OFFSET BYTES" lines (SHAPE rows first,
//    comma-separated, e.g. "4096,256" for the token embedding);
//  - VARIANT.weights.bin: the tensors' raw little-endian bytes at those offsets;
//  - vocab.tsv: "ID TYPE SCORE PIECE_HEX" per token (encode_tokens.py), TYPE in
//    llama.cpp's numbering (1 normal, 2 unknown, 3 control, 6 byte).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/status.h"

namespace ballast {

enum class RawDtype { f16, f32 };

struct ManifestTensor {
  std::string name;             // llama.cpp GGUF name, e.g. "blk.0.attn_q.weight"
  RawDtype dtype = RawDtype::f32;
  std::vector<uint64_t> rows_first_shape;  // PyTorch order: [rows, cols] or [n]
  uint64_t offset = 0;          // bytes into weights.bin
  uint64_t bytes = 0;
};

struct ImportManifest {
  std::map<std::string, std::string> hparams;
  std::vector<ManifestTensor> tensors;
};

struct SpmVocab {
  std::vector<std::string> pieces;  // UTF-8
  std::vector<float> scores;
  std::vector<int32_t> types;       // llama.cpp token types
};

// Parses the manifest text. Errors name the line.
Result<ImportManifest> parse_import_manifest(const std::string &text);
// Parses vocab.tsv text; ids must be 0, 1, 2, ... in order.
Result<SpmVocab> parse_spm_vocab(const std::string &text);

// Typed hparam lookups (invalid_argument naming the key when absent or malformed).
Result<uint32_t> manifest_u32(const ImportManifest &manifest, const std::string &key);
Result<float> manifest_f32(const ImportManifest &manifest, const std::string &key);

// Whole file into memory (inputs are a few MB).
Result<std::string> read_whole_file(const std::string &path);

}  // namespace ballast
