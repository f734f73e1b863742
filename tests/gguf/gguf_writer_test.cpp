#include <doctest/doctest.h>

#include <cstring>

#include "models/gguf/gguf_writer.h"

using namespace ballast;

TEST_CASE("GGUF writer lays out header, keys, tensor infos and aligned data") {
  GgufWriter w(3, 32);
  w.set_string("general.architecture", "llama");
  w.add_tensor("a", TensorType::f32, {3}, std::vector<uint8_t>(12, 0xAB));
  w.add_tensor("b", TensorType::q8_0, {32, 2}, std::vector<uint8_t>(68, 0xCD));
  auto bytes = w.to_bytes();
  REQUIRE(bytes.is_ok());
  const std::vector<uint8_t> &b = bytes.value();
  uint32_t magic, version;
  uint64_t n_tensors, n_keys;
  std::memcpy(&magic, b.data(), 4);
  std::memcpy(&version, b.data() + 4, 4);
  std::memcpy(&n_tensors, b.data() + 8, 8);
  std::memcpy(&n_keys, b.data() + 16, 8);
  CHECK(magic == kGgufMagic);
  CHECK(version == 3);
  CHECK(n_tensors == 2);
  CHECK(n_keys == 1);
  // Data section: tensor a (12 bytes) padded to 32, then tensor b (68 bytes) ending at 100, padded to 128.
  CHECK(b.size() % 32 == 0);
  const size_t data_start = b.size() - 128;
  CHECK(b[data_start] == 0xAB);
  CHECK(b[data_start + 11] == 0xAB);
  CHECK(b[data_start + 12] == 0);
  CHECK(b[data_start + 32] == 0xCD);
  CHECK(b[data_start + 32 + 67] == 0xCD);
}

TEST_CASE("GGUF writer rejects data whose size does not match shape and type") {
  GgufWriter w;
  w.add_tensor("bad", TensorType::q4_0, {64}, std::vector<uint8_t>(35));
  auto bytes = w.to_bytes();
  CHECK_FALSE(bytes.is_ok());
  CHECK(bytes.status().message().find("'bad'") != std::string::npos);
}

TEST_CASE("tensor_bytes follows block geometry and refuses partial blocks") {
  CHECK(GgufWriter::tensor_bytes(TensorType::q4_k, {256, 3}).value() == 3 * 144);
  CHECK(GgufWriter::tensor_bytes(TensorType::q6_k, {512}).value() == 2 * 210);
  CHECK(GgufWriter::tensor_bytes(TensorType::bf16, {7, 5}).value() == 70);
  CHECK_FALSE(GgufWriter::tensor_bytes(TensorType::q4_0, {33}).is_ok());
  CHECK_FALSE(GgufWriter::tensor_bytes(TensorType::f32, {1ull << 40, 1ull << 40}).is_ok());
}
