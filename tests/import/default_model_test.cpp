// The shipped default model (models/default/ballast-default.gguf, trained by
// models/train): it parses, and its metadata is the llama layout the training
// exported (see models/default/MODEL_CARD.md).
#include <doctest/doctest.h>

#include <string>

#include "models/gguf/gguf_reader.h"
#include "tools/import/import_inputs.h"

namespace ballast {
namespace {

TEST_CASE("default model: the shipped GGUF parses with the trained model's keys and tensors") {
  const std::string path = std::string(BALLAST_SOURCE_DIR) + "/models/default/ballast-default.gguf";
  auto bytes = read_whole_file(path);
  REQUIRE_MESSAGE(bytes.is_ok(), bytes.status().to_string());
  CHECK(bytes->size() <= 16u * 1024 * 1024);
  auto parsed = GgufFile::parse(reinterpret_cast<const uint8_t *>(bytes->data()), bytes->size());
  REQUIRE_MESSAGE(parsed.is_ok(), parsed.status().to_string());
  const GgufFile &f = parsed.value();
  CHECK(f.get_string("general.architecture").value() == "llama");
  CHECK(f.get_uint("llama.block_count").value() == 6);
  CHECK(f.get_uint("llama.embedding_length").value() == 256);
  CHECK(f.get_uint("llama.feed_forward_length").value() == 768);
  CHECK(f.get_uint("llama.attention.head_count").value() == 4);
  CHECK(f.get_uint("llama.attention.head_count_kv").value() == 2);
  CHECK(f.get_uint("llama.context_length").value() == 512);
  CHECK(f.get_uint("ballast.sink_token_id").value() == 1);
  CHECK(f.get_uint("ballast.sink_slots").value() == 1);
  CHECK(f.get_bool("tokenizer.ggml.add_bos_token").value());
  const auto tokens = f.get_string_array("tokenizer.ggml.tokens").value();
  REQUIRE(tokens.size() == 4096);
  CHECK(tokens[1] == "<s>");
  CHECK(tokens[3 + 0x0A] == "<0x0A>");
  const auto types = f.get_i32_array("tokenizer.ggml.token_type").value();
  CHECK(types[0] == 2);
  CHECK(types[1] == 3);
  CHECK(types[2] == 3);
  CHECK(types[3] == 6);
  CHECK(types[258] == 6);
  CHECK(types[259] == 1);
  CHECK(f.tensors().size() == 3 + 9 * 6);
  const GgufTensorInfo *embd = f.find_tensor("token_embd.weight");
  REQUIRE(embd != nullptr);
  CHECK(embd->shape[0] == 256);
  CHECK(embd->shape[1] == 4096);
}

}  // namespace
}  // namespace ballast
