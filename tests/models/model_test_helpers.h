// Builds a random-weight model in memory with ballast-mkmodel's generator and
// parses it, so model-level tests need no files on disk.
#pragma once

#include <functional>
#include <vector>

#include <doctest/doctest.h>

#include "models/gguf/gguf_reader.h"
#include "tools/mkmodel/model_generator.h"

namespace ballast::test {

struct ParsedModel {
  std::vector<uint8_t> bytes;
  Result<GgufFile> gguf = Status(StatusCode::internal, "not parsed");
};

// `edit` may change metadata after the generator added it (keys are replaced in place).
inline ParsedModel make_parsed_model(const mkmodel::ModelSpec &spec,
                                     const std::function<void(GgufWriter &)> &edit = {}) {
  ParsedModel m;
  GgufWriter writer;
  auto build = mkmodel::add_model(spec, writer);
  REQUIRE_MESSAGE(build.is_ok(), build.status().to_string());
  if (edit) edit(writer);
  auto bytes = writer.to_bytes();
  REQUIRE_MESSAGE(bytes.is_ok(), bytes.status().to_string());
  m.bytes = std::move(bytes).value();
  m.gguf = GgufFile::parse(m.bytes.data(), m.bytes.size());
  REQUIRE_MESSAGE(m.gguf.is_ok(), m.gguf.status().to_string());
  return m;
}

}  // namespace ballast::test
