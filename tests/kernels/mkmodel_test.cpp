// ballast-mkmodel's generator, in process: each architecture's tiny model
// parses with our GGUF reader and has exactly llama.cpp's tensor names,
// shapes, types and metadata keys; weights have the intended scale;
// output is deterministic for a seed and independent of thread count.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "kernels/quant/quant_type_traits.h"
#include "models/gguf/gguf_reader.h"
#include "platform/file_mapping.h"
#include "tools/mkmodel/model_generator.h"
#include "tools/mkmodel/vocab_source.h"

using namespace ballast;
using namespace ballast::mkmodel;

namespace {

ModelSpec tiny(ModelArch arch, TensorType type) {
  Result<ModelSpec> spec = preset_spec("tiny", arch);
  REQUIRE(spec.is_ok());
  ModelSpec s = spec.value();
  s.type = type;
  return s;
}

// Generates and parses; the bytes must outlive the GgufFile, so both are kept.
std::unique_ptr<std::vector<uint8_t>> generate(const ModelSpec &spec) {
  Result<std::vector<uint8_t>> bytes = make_model_bytes(spec);
  REQUIRE_MESSAGE(bytes.is_ok(), bytes.status().to_string());
  return std::make_unique<std::vector<uint8_t>>(std::move(bytes).value());
}

GgufFile parse(const std::vector<uint8_t> &bytes) {
  Result<GgufFile> file = GgufFile::parse(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(file.is_ok(), file.status().to_string());
  return std::move(file).value();
}

void check_tensor(const GgufFile &file, const std::string &name, std::vector<uint64_t> shape, TensorType type) {
  CAPTURE(name);
  const GgufTensorInfo *t = file.find_tensor(name);
  REQUIRE(t != nullptr);
  CHECK(t->n_dims == shape.size());
  for (size_t i = 0; i < shape.size(); ++i) CHECK(t->shape[i] == shape[i]);
  CHECK(t->type == type);
}

std::vector<float> dequantize(const GgufTensorInfo &t) {
  std::vector<float> out(t.element_count);
  quant_type_traits(t.type)->dequantize_row(t.data, out.data(), static_cast<int64_t>(t.element_count));
  return out;
}

}  // namespace

TEST_CASE("mkmodel: llama, qwen2 and qwen3 tiny models have llama.cpp's tensors and keys") {
  for (ModelArch arch : {ModelArch::llama, ModelArch::qwen2, ModelArch::qwen3}) {
    for (TensorType type : {TensorType::f32, TensorType::q8_0, TensorType::f16}) {
      const std::string a = arch_name(arch);
      CAPTURE(a);
      CAPTURE(std::string(tensor_type_info(type)->name));
      const ModelSpec spec = tiny(arch, type);
      const auto bytes = generate(spec);
      const GgufFile file = parse(*bytes);
      const uint64_t dim = 64, ffn = 128, vocab = 320, head = 16, kv = 2 * head;

      CHECK(file.get_string("general.architecture").value() == a);
      CHECK(file.get_uint("general.file_type").value() == llama_file_type(type));
      CHECK(file.get_uint(a + ".embedding_length").value() == dim);
      CHECK(file.get_uint(a + ".block_count").value() == 2);
      CHECK(file.get_uint(a + ".feed_forward_length").value() == ffn);
      CHECK(file.get_uint(a + ".attention.head_count").value() == 4);
      CHECK(file.get_uint(a + ".attention.head_count_kv").value() == 2);
      CHECK(file.get_uint(a + ".context_length").value() == 256);
      CHECK(file.get_uint(a + ".vocab_size").value() == vocab);
      CHECK(file.get_uint(a + ".rope.dimension_count").value() == head);
      CHECK(file.get_float(a + ".attention.layer_norm_rms_epsilon").value() > 0.0);
      CHECK(file.get_float(a + ".rope.freq_base").value() == (arch == ModelArch::llama ? 10000.0 : 1000000.0));
      CHECK((file.find(a + ".attention.key_length") != nullptr) == (arch == ModelArch::qwen3));
      if (arch == ModelArch::qwen3) CHECK(file.get_uint(a + ".attention.key_length").value() == head);

      size_t expected_tensors = 3;  // token_embd, output_norm, output
      check_tensor(file, "token_embd.weight", {dim, vocab}, type);
      check_tensor(file, "output_norm.weight", {dim}, TensorType::f32);
      check_tensor(file, "output.weight", {dim, vocab}, type);
      for (int l = 0; l < 2; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        check_tensor(file, b + "attn_norm.weight", {dim}, TensorType::f32);
        check_tensor(file, b + "attn_q.weight", {dim, dim}, type);
        check_tensor(file, b + "attn_k.weight", {dim, kv}, type);
        check_tensor(file, b + "attn_v.weight", {dim, kv}, type);
        check_tensor(file, b + "attn_output.weight", {dim, dim}, type);
        check_tensor(file, b + "ffn_norm.weight", {dim}, TensorType::f32);
        check_tensor(file, b + "ffn_gate.weight", {dim, ffn}, type);
        check_tensor(file, b + "ffn_up.weight", {dim, ffn}, type);
        check_tensor(file, b + "ffn_down.weight", {ffn, dim}, type);
        expected_tensors += 9;
        if (arch == ModelArch::qwen2) {
          check_tensor(file, b + "attn_q.bias", {dim}, TensorType::f32);
          check_tensor(file, b + "attn_k.bias", {kv}, TensorType::f32);
          check_tensor(file, b + "attn_v.bias", {kv}, TensorType::f32);
          expected_tensors += 3;
        }
        if (arch == ModelArch::qwen3) {
          check_tensor(file, b + "attn_q_norm.weight", {head}, TensorType::f32);
          check_tensor(file, b + "attn_k_norm.weight", {head}, TensorType::f32);
          expected_tensors += 2;
        }
      }
      CHECK(file.tensors().size() == expected_tensors);
    }
  }
}

TEST_CASE("mkmodel: tied embeddings drop output.weight; presets have the published shapes") {
  ModelSpec spec = tiny(ModelArch::llama, TensorType::f32);
  spec.tied = true;
  const auto bytes = generate(spec);
  const GgufFile file = parse(*bytes);
  CHECK(file.find_tensor("output.weight") == nullptr);
  CHECK(file.find_tensor("token_embd.weight") != nullptr);

  const ModelSpec tl = preset_spec("tinyllama", ModelArch::llama).value();
  CHECK(tl.dim == 2048);
  CHECK(tl.layers == 22);
  CHECK(tl.heads == 32);
  CHECK(tl.kv_heads == 4);
  CHECK(tl.ffn == 5632);
  CHECK(tl.vocab == 32000);
  CHECK_FALSE(tl.tied);
  const ModelSpec smol = preset_spec("smollm2-135m", ModelArch::llama).value();
  CHECK(smol.dim == 576);
  CHECK(smol.layers == 30);
  CHECK(smol.heads == 9);
  CHECK(smol.kv_heads == 3);
  CHECK(smol.ffn == 1536);
  CHECK(smol.vocab == 49152);
  CHECK(smol.tied);
  // The TinyLlama shape has about 1.1 B parameters (plan only; nothing generated).
  uint64_t parameters = 0;
  for (const TensorPlan &plan : plan_tensors(tl)) {
    uint64_t n = 1;
    for (uint64_t d : plan.shape) n *= d;
    parameters += n;
  }
  CHECK(parameters > 1090000000ull);
  CHECK(parameters < 1110000000ull);
  CHECK_FALSE(preset_spec("gpt5", ModelArch::llama).is_ok());
}

TEST_CASE("mkmodel: rows that are not whole blocks fall back as llama.cpp does") {
  CHECK(matrix_type_for_row(TensorType::q4_k, 512) == TensorType::q4_k);
  CHECK(matrix_type_for_row(TensorType::q4_k, 576) == TensorType::q5_0);
  CHECK(matrix_type_for_row(TensorType::q5_k, 576) == TensorType::q5_1);
  CHECK(matrix_type_for_row(TensorType::q6_k, 576) == TensorType::q8_0);
  CHECK(matrix_type_for_row(TensorType::q4_k, 80) == TensorType::f16);
  CHECK(matrix_type_for_row(TensorType::q4_0, 80) == TensorType::f16);
  CHECK(matrix_type_for_row(TensorType::bf16, 80) == TensorType::bf16);

  ModelSpec spec = tiny(ModelArch::llama, TensorType::q4_k);
  spec.dim = 64, spec.ffn = 160;  // rows of 64 and of 160 are not whole Q4_K blocks but are whole Q5_0 blocks
  GgufWriter writer;
  Result<ModelBuild> build = add_model(spec, writer);
  REQUIRE(build.is_ok());
  CHECK_FALSE(build->notes.empty());
  const auto bytes = std::make_unique<std::vector<uint8_t>>(writer.to_bytes().value());
  const GgufFile file = parse(*bytes);
  check_tensor(file, "blk.0.attn_q.weight", {64, 64}, TensorType::q5_0);
  check_tensor(file, "blk.0.ffn_down.weight", {160, 64}, TensorType::q5_0);
  check_tensor(file, "blk.0.attn_norm.weight", {64}, TensorType::f32);
  CHECK(file.get_uint("general.quantization_version").value() == 2);
}

TEST_CASE("mkmodel: weights have the intended scale") {
  ModelSpec spec = tiny(ModelArch::qwen2, TensorType::f32);
  spec.dim = 256, spec.ffn = 512;
  const auto bytes = generate(spec);
  const GgufFile file = parse(*bytes);
  auto stats = [&](const std::string &name, double *mean, double *std) {
    const GgufTensorInfo *t = file.find_tensor(name);
    REQUIRE(t != nullptr);
    const std::vector<float> v = dequantize(*t);
    double sum = 0, sq = 0;
    for (float x : v) sum += x;
    *mean = sum / static_cast<double>(v.size());
    for (float x : v) sq += (x - *mean) * (x - *mean);
    *std = std::sqrt(sq / static_cast<double>(v.size()));
  };
  double mean, std;
  stats("blk.0.attn_q.weight", &mean, &std);  // 256 x 256: N(0, 1/16)
  CHECK(std::fabs(mean) < 0.002);
  CHECK(std == doctest::Approx(1.0 / 16.0).epsilon(0.02));
  stats("blk.1.ffn_down.weight", &mean, &std);  // rows of 512: N(0, 1/sqrt(512))
  CHECK(std == doctest::Approx(1.0 / std::sqrt(512.0)).epsilon(0.02));
  stats("blk.0.attn_norm.weight", &mean, &std);
  CHECK(mean == doctest::Approx(1.0).epsilon(0.01));
  CHECK(std == doctest::Approx(0.02).epsilon(0.2));
  // Rows come from unrelated random streams: no value of one row reappears in
  // the next (seeding rows with consecutive splitmix64 states once made each
  // row the previous one shifted by a draw).
  const GgufTensorInfo *q = file.find_tensor("blk.0.attn_q.weight");
  const std::vector<float> values = dequantize(*q);
  size_t shared = 0;
  for (size_t r = 0; r + 1 < 8; ++r) {
    const std::set<float> row(values.begin() + r * 256, values.begin() + (r + 1) * 256);
    for (size_t i = 0; i < 256; ++i) shared += row.count(values[(r + 1) * 256 + i]);
  }
  CHECK(shared <= 2);
  stats("blk.0.attn_q.bias", &mean, &std);
  CHECK(std::fabs(mean) < 0.01);
  CHECK(std == doctest::Approx(0.02).epsilon(0.2));
}

TEST_CASE("mkmodel: deterministic for a seed, different across seeds, same for any thread count") {
  ModelSpec spec = tiny(ModelArch::llama, TensorType::q4_k);
  spec.dim = 256, spec.ffn = 512;  // big enough to use several threads
  spec.threads = 1;
  const auto a = generate(spec);
  spec.threads = 3;
  const auto b = generate(spec);
  CHECK(*a == *b);
  spec.seed = 2;
  const auto c = generate(spec);
  CHECK(a->size() == c->size());
  CHECK(*a != *c);
}

TEST_CASE("mkmodel: synthetic vocabulary is SentencePiece-shaped and unique") {
  const auto bytes = generate(tiny(ModelArch::llama, TensorType::f32));
  const GgufFile file = parse(*bytes);
  CHECK(file.get_string("tokenizer.ggml.model").value() == "llama");
  const std::vector<std::string_view> tokens = file.get_string_array("tokenizer.ggml.tokens").value();
  REQUIRE(tokens.size() == 320);
  CHECK(tokens[0] == "<unk>");
  CHECK(tokens[1] == "<s>");
  CHECK(tokens[2] == "</s>");
  CHECK(tokens[3] == "<0x00>");
  CHECK(tokens[3 + 0x0A] == "<0x0A>");
  CHECK(tokens[258] == "<0xFF>");
  CHECK(std::set<std::string_view>(tokens.begin(), tokens.end()).size() == tokens.size());
  const std::vector<int32_t> types = file.get_i32_array("tokenizer.ggml.token_type").value();
  REQUIRE(types.size() == 320);
  CHECK(types[0] == 2);
  CHECK(types[1] == 3);
  CHECK(types[100] == 6);
  CHECK(types[300] == 1);
  CHECK(file.get_f32_array("tokenizer.ggml.scores").value().size() == 320);
  CHECK(file.get_uint("tokenizer.ggml.bos_token_id").value() == 1);
  CHECK(file.get_uint("tokenizer.ggml.eos_token_id").value() == 2);
  // Large vocabularies stay unique too.
  const std::vector<std::string> big = synthetic_tokens(49152);
  CHECK(std::set<std::string>(big.begin(), big.end()).size() == big.size());
  ModelSpec too_small = tiny(ModelArch::llama, TensorType::f32);
  too_small.vocab = 200;
  CHECK_FALSE(make_model_bytes(too_small).is_ok());
}

TEST_CASE("mkmodel: --vocab-from copies tokenizer keys and the vocab size") {
  ModelSpec source = tiny(ModelArch::llama, TensorType::f32);
  source.vocab = 300;
  const std::string path = "mkmodel_test_vocab_source_" + std::to_string(getpid()) + ".gguf";
  REQUIRE(write_model_file(source, path).is_ok());

  ModelSpec spec = tiny(ModelArch::qwen3, TensorType::q8_0);
  spec.vocab_from = path;
  const auto bytes = generate(spec);
  std::remove(path.c_str());
  const GgufFile file = parse(*bytes);
  CHECK(file.get_uint("qwen3.vocab_size").value() == 300);
  check_tensor(file, "token_embd.weight", {64, 300}, TensorType::q8_0);
  const std::vector<std::string_view> tokens = file.get_string_array("tokenizer.ggml.tokens").value();
  const std::vector<std::string> expected = synthetic_tokens(300);
  REQUIRE(tokens.size() == expected.size());
  for (size_t i = 0; i < tokens.size(); ++i) CHECK(tokens[i] == expected[i]);
  CHECK(file.get_bool("tokenizer.ggml.add_bos_token").value());

  spec.vocab_from = "/nonexistent/vocab.gguf";
  CHECK_FALSE(make_model_bytes(spec).is_ok());
}

TEST_CASE("mkmodel: bad shapes are refused with a clear error") {
  ModelSpec spec = tiny(ModelArch::llama, TensorType::f32);
  spec.kv_heads = 3;
  Result<std::vector<uint8_t>> r = make_model_bytes(spec);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("kv-heads") != std::string::npos);
  spec = tiny(ModelArch::llama, TensorType::f32);
  spec.layers = 0;
  CHECK_FALSE(make_model_bytes(spec).is_ok());
  CHECK_FALSE(parse_weight_type("q3_k").is_ok());
  CHECK(parse_weight_type("Q4_K").value() == TensorType::q4_k);
  CHECK_FALSE(parse_arch("gpt2").is_ok());
}

TEST_CASE("GgufWriter tensor producers stream the same bytes as in-memory tensors") {
  std::vector<uint8_t> data(68);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  GgufWriter in_memory, streamed;
  in_memory.add_tensor("a", TensorType::q8_0, {32, 2}, data);
  in_memory.add_tensor("b", TensorType::f32, {3}, std::vector<uint8_t>(12, 9));
  streamed.add_tensor_producer("a", TensorType::q8_0, {32, 2}, [&data](std::vector<uint8_t> &out) {
    out = data;
    return Status::ok();
  });
  streamed.add_tensor("b", TensorType::f32, {3}, std::vector<uint8_t>(12, 9));
  CHECK(in_memory.to_bytes().value() == streamed.to_bytes().value());

  const std::string path = "writer_stream_test_" + std::to_string(getpid()) + ".gguf";
  REQUIRE(streamed.write_file(path).is_ok());
  Result<FileMapping> mapping = FileMapping::open(path);
  REQUIRE(mapping.is_ok());
  const std::vector<uint8_t> on_disk(mapping->data(), mapping->data() + mapping->size());
  std::remove(path.c_str());
  CHECK(on_disk == in_memory.to_bytes().value());

  GgufWriter short_producer;
  short_producer.add_tensor_producer("c", TensorType::f32, {4}, [](std::vector<uint8_t> &out) {
    out.assign(15, 0);  // one byte short
    return Status::ok();
  });
  Result<std::vector<uint8_t>> bad = short_producer.to_bytes();
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("'c'") != std::string::npos);
  GgufWriter failing_producer;
  failing_producer.add_tensor_producer("d", TensorType::f32, {4}, [](std::vector<uint8_t> &) {
    return make_status(StatusCode::io_error, "generator failed");
  });
  CHECK(failing_producer.write_file(path).code() == StatusCode::io_error);
  CHECK(access((path + ".tmp").c_str(), F_OK) != 0);  // temporary file cleaned up
}
