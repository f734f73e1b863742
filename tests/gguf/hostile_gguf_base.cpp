// The valid base file of the hostile corpus, built field by field with labels.
#include <cstring>

#include "models/gguf/gguf_types.h"
#include "tests/gguf/hostile_gguf_corpus.h"

namespace ballast {
namespace testing {
namespace {

// Starts key `index`: writes its name and returns its owner label "key i ('name')".
std::string begin_key(LabeledGgufBytes &b, size_t index, const std::string &name, GgufValueType type) {
  const std::string unnamed = "key " + std::to_string(index);
  b.string(name, unnamed, "name_length", "name");
  const std::string owner = unnamed + " ('" + name + "')";
  b.u32(static_cast<uint32_t>(type), owner + " value_type");
  return owner;
}

void add_string_array(LabeledGgufBytes &b, const std::string &owner, const std::vector<std::string> &items) {
  b.u32(static_cast<uint32_t>(GgufValueType::string), owner + " array_type");
  b.u64(items.size(), owner + " array_count");
  for (size_t i = 0; i < items.size(); ++i) {
    b.string(items[i], owner + " array element " + std::to_string(i), "string_length", "string",
             {owner + " array_count"});
  }
}

void add_f32_array(LabeledGgufBytes &b, const std::string &owner, const std::vector<float> &items) {
  b.u32(static_cast<uint32_t>(GgufValueType::float32), owner + " array_type");
  b.u64(items.size(), owner + " array_count");
  for (float v : items) b.f32(v, owner + " array_data", {owner + " array_count"});
}

void add_alignment_key(LabeledGgufBytes &b, const BaseGgufOptions &o) {
  const GgufValueType type = static_cast<GgufValueType>(o.alignment_type);
  const std::string owner = begin_key(b, 1, "general.alignment", type);
  if (gguf_scalar_size(type) == 8) {
    b.u64(o.alignment_value, owner + " value");
  } else {
    b.u32(static_cast<uint32_t>(o.alignment_value), owner + " value");
  }
}

struct BaseTensor {
  std::string name;
  TensorType type;
  std::vector<uint64_t> shape;
  uint64_t offset;  // relative to the data section
  uint64_t bytes;
};

std::string add_tensor_info(LabeledGgufBytes &b, size_t index, const BaseTensor &t) {
  const std::string unnamed = "tensor " + std::to_string(index);
  b.string(t.name, unnamed, "name_length", "name");
  const std::string owner = unnamed + " ('" + t.name + "')";
  b.u32(static_cast<uint32_t>(t.shape.size()), owner + " n_dims");
  for (size_t d = 0; d < t.shape.size(); ++d) b.u64(t.shape[d], owner + " ne[" + std::to_string(d) + "]");
  b.u32(static_cast<uint32_t>(t.type), owner + " type");
  b.u64(t.offset, owner + " offset");
  return owner;
}

}  // namespace

LabeledGgufBytes make_base_gguf(const BaseGgufOptions &o) {
  const std::vector<BaseTensor> tensors = {
      {"token_embd.weight", TensorType::f32, {8, 2}, 0, 64},
      {o.tensor1_name, TensorType::q8_0, {32, 2}, 64, 68},
      {"output.weight", TensorType::q4_k, {256}, 160, 144},
  };
  LabeledGgufBytes b;
  b.u32(kGgufMagic, "header magic");
  b.u32(o.version, "header version");
  b.u64(tensors.size(), "header tensor_count");
  b.u64(9, "header kv_count");

  std::string owner = begin_key(b, 0, "general.architecture", GgufValueType::string);
  b.string("llama", owner, "string_length", "string");
  add_alignment_key(b, o);
  owner = begin_key(b, 2, o.key2_name, GgufValueType::uint32);
  b.u32(2048, owner + " value");
  owner = begin_key(b, 3, "llama.rope.freq_base", GgufValueType::float32);
  b.f32(10000.0f, owner + " value");
  owner = begin_key(b, 4, "tokenizer.ggml.tokens", GgufValueType::array);
  add_string_array(b, owner, {"<s>", "hello", "\xe2\x96\x81world"});
  owner = begin_key(b, 5, "tokenizer.ggml.scores", GgufValueType::array);
  add_f32_array(b, owner, {0.0f, -1.5f, -2.5f});
  owner = begin_key(b, 6, "tokenizer.ggml.add_bos_token", GgufValueType::boolean);
  b.u8(1, owner + " value");
  owner = begin_key(b, 7, "test.signed", GgufValueType::int64);
  b.u64(static_cast<uint64_t>(int64_t{-5}), owner + " value");
  owner = begin_key(b, 8, "test.flags", GgufValueType::array);
  b.u32(static_cast<uint32_t>(GgufValueType::boolean), owner + " array_type");
  b.u64(3, owner + " array_count");
  for (uint8_t flag : {1, 0, 1}) b.u8(flag, owner + " array_data", {owner + " array_count"});

  std::vector<std::string> owners;
  for (size_t i = 0; i < tensors.size(); ++i) owners.push_back(add_tensor_info(b, i, tensors[i]));
  b.pad_to(32, "header data section");
  // Tensor data, no padding after the last tensor: every shorter file is invalid.
  uint64_t data_end = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].offset > data_end) b.zeros(tensors[i].offset - data_end, owners[i] + " data");
    std::vector<uint8_t> payload(tensors[i].bytes);
    for (size_t j = 0; j < payload.size(); ++j) payload[j] = static_cast<uint8_t>(j * 7 + i + 1);
    for (uint8_t byte : payload) b.u8(byte, owners[i] + " data");
    data_end = tensors[i].offset + tensors[i].bytes;
  }
  return b;
}

}  // namespace testing
}  // namespace ballast
