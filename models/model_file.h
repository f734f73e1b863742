// A GGUF model file opened for use: the read-only memory mapping (weights are
// used in place from it) plus the validated index parsed from it.
#pragma once

#include <memory>
#include <string>

#include "models/gguf/gguf_reader.h"
#include "platform/file_mapping.h"
#include "platform/status.h"

namespace ballast {

class ModelFile {
 public:
  // Maps `path` and parses it; errors say which file and what is wrong.
  static Result<std::unique_ptr<ModelFile>> open(const std::string &path);

  const std::string &path() const { return path_; }
  const GgufFile &gguf() const { return gguf_; }
  const FileMapping &mapping() const { return mapping_; }

 private:
  ModelFile(std::string path, FileMapping mapping, GgufFile gguf)
      : path_(std::move(path)), mapping_(std::move(mapping)), gguf_(std::move(gguf)) {}

  std::string path_;
  FileMapping mapping_;  // owns the bytes gguf_ points into; declared first so it outlives gguf_
  GgufFile gguf_;
};

}  // namespace ballast
