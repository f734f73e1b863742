#include "models/model_file.h"

namespace ballast {

Result<std::unique_ptr<ModelFile>> ModelFile::open(const std::string &path) {
  BALLAST_ASSIGN_OR_RETURN(FileMapping mapping, FileMapping::open(path));
  Result<GgufFile> gguf = GgufFile::parse(static_cast<const uint8_t *>(mapping.data()), mapping.size());
  if (!gguf.is_ok()) {
    return Status(gguf.status().code(), "'" + path + "' is not a usable GGUF file: " + gguf.status().message());
  }
  return std::unique_ptr<ModelFile>(new ModelFile(path, std::move(mapping), std::move(gguf).value()));
}

}  // namespace ballast
