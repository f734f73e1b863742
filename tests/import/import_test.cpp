// ballast-import: train.py's export (manifest + raw weights) + vocab.tsv -> GGUF.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/quant/float16.h"
#include "kernels/quant/quant_rows.h"
#include "models/gguf/gguf_reader.h"
#include "tools/import/import_gguf.h"
#include "tools/import/import_inputs.h"

namespace ballast {
namespace {

// A tiny llama: vocab 8, dim 32, 1 layer, 4 heads, 2 kv heads, ffn 64.
struct TinyExport {
  std::string manifest;
  std::string weights;
  std::string vocab;
};

std::string hex(const std::string &s) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

float value_at(size_t tensor, size_t i) { return std::sin(0.37f * static_cast<float>(i) + static_cast<float>(tensor)) * 0.5f; }

TinyExport make_tiny_export(bool sink) {
  TinyExport e;
  e.manifest = "# test\nhparam\tvocab_size\t8\nhparam\tdim\t32\nhparam\tn_layers\t1\nhparam\tn_heads\t4\n"
               "hparam\tn_kv_heads\t2\nhparam\tffn_dim\t64\nhparam\tcontext\t16\nhparam\trope_theta\t10000.0\n"
               "hparam\tnorm_eps\t1e-05\n";
  if (sink) e.manifest += "hparam\tadd_bos\t1\nhparam\tsink_token_id\t1\nhparam\tsink_slots\t1\n";
  const std::vector<std::pair<std::string, std::vector<int>>> tensors = {
      {"token_embd.weight", {8, 32}},         {"blk.0.attn_norm.weight", {32}},
      {"blk.0.attn_q.weight", {32, 32}},      {"blk.0.attn_k.weight", {16, 32}},
      {"blk.0.attn_v.weight", {16, 32}},      {"blk.0.attn_output.weight", {32, 32}},
      {"blk.0.ffn_norm.weight", {32}},        {"blk.0.ffn_gate.weight", {64, 32}},
      {"blk.0.ffn_down.weight", {32, 64}},    {"blk.0.ffn_up.weight", {64, 32}},
      {"output_norm.weight", {32}},           {"output.weight", {8, 32}}};
  for (size_t ti = 0; ti < tensors.size(); ++ti) {
    const auto &shape = tensors[ti].second;
    size_t n = 1;
    std::string dims;
    for (int d : shape) {
      n *= static_cast<size_t>(d);
      dims += (dims.empty() ? "" : ",") + std::to_string(d);
    }
    const bool matrix = shape.size() == 2;
    const size_t offset = e.weights.size();
    for (size_t i = 0; i < n; ++i) {
      if (matrix) {
        const uint16_t h = f32_to_f16(value_at(ti, i));
        e.weights.append(reinterpret_cast<const char *>(&h), 2);
      } else {
        const float f = 1.0f + value_at(ti, i);
        e.weights.append(reinterpret_cast<const char *>(&f), 4);
      }
    }
    e.manifest += "tensor\t" + tensors[ti].first + "\t" + (matrix ? "f16" : "f32") + "\t" + dims + "\t" +
                  std::to_string(offset) + "\t" + std::to_string(e.weights.size() - offset) + "\n";
  }
  const std::vector<std::pair<std::string, int>> pieces = {{"<unk>", 2}, {"<s>", 3},   {"</s>", 3},
                                                           {"<0x0A>", 6}, {"\xe2\x96\x81the", 1}, {"a", 1},
                                                           {"b", 1},      {"\xe2\x96\x81", 1}};
  for (size_t i = 0; i < pieces.size(); ++i) {
    e.vocab += std::to_string(i) + "\t" + std::to_string(pieces[i].second) + "\t" +
               (pieces[i].second == 1 ? "-" + std::to_string(i) : "0") + "\t" + hex(pieces[i].first) + "\n";
  }
  return e;
}

Result<std::vector<uint8_t>> import_bytes(const TinyExport &e, ImportWeightType type) {
  BALLAST_ASSIGN_OR_RETURN(const ImportManifest manifest, parse_import_manifest(e.manifest));
  BALLAST_ASSIGN_OR_RETURN(const SpmVocab vocab, parse_spm_vocab(e.vocab));
  ImportOptions options;
  options.weight_type = type;
  options.name = "tiny";
  BALLAST_ASSIGN_OR_RETURN(const GgufWriter writer, build_llama_gguf(manifest, e.weights, vocab, options));
  return writer.to_bytes();
}

TEST_CASE("ballast-import: F16 export round-trips through the GGUF reader with llama keys") {
  const TinyExport e = make_tiny_export(true);
  auto bytes = import_bytes(e, ImportWeightType::f16);
  REQUIRE_MESSAGE(bytes.is_ok(), bytes.status().to_string());
  auto parsed = GgufFile::parse(bytes->data(), bytes->size());
  REQUIRE_MESSAGE(parsed.is_ok(), parsed.status().to_string());
  const GgufFile &f = parsed.value();
  CHECK(f.get_string("general.architecture").value() == "llama");
  CHECK(f.get_uint("llama.embedding_length").value() == 32);
  CHECK(f.get_uint("llama.attention.head_count_kv").value() == 2);
  CHECK(f.get_uint("llama.rope.dimension_count").value() == 8);
  CHECK(f.get_uint("general.file_type").value() == 1);
  CHECK(f.get_string("tokenizer.ggml.model").value() == "llama");
  CHECK(f.get_bool("tokenizer.ggml.add_bos_token").value());
  CHECK(f.get_uint("ballast.sink_token_id").value() == 1);
  CHECK(f.get_uint("ballast.sink_slots").value() == 1);
  const auto tokens = f.get_string_array("tokenizer.ggml.tokens").value();
  REQUIRE(tokens.size() == 8);
  CHECK(tokens[4] == "\xe2\x96\x81the");
  const auto types = f.get_i32_array("tokenizer.ggml.token_type").value();
  CHECK(types == std::vector<int32_t>{2, 3, 3, 6, 1, 1, 1, 1});
  CHECK(f.get_f32_array("tokenizer.ggml.scores").value()[5] == -5.0f);

  REQUIRE(f.tensors().size() == 12);
  CHECK(f.tensors().front().name == "token_embd.weight");
  CHECK(f.tensors().back().name == "output.weight");
  const GgufTensorInfo *k = f.find_tensor("blk.0.attn_k.weight");
  REQUIRE(k != nullptr);
  CHECK(k->type == TensorType::f16);
  CHECK(k->shape[0] == 32);  // ne0 = input features (row length)
  CHECK(k->shape[1] == 16);
  // bytes exactly as exported (f16 in, f16 out)
  CHECK(std::memcmp(k->data, e.weights.data() + (8 * 32 * 2 + 32 * 4 + 32 * 32 * 2), 16 * 32 * 2) == 0);
  const GgufTensorInfo *norm = f.find_tensor("blk.0.ffn_norm.weight");
  REQUIRE(norm != nullptr);
  CHECK(norm->type == TensorType::f32);
  float first;
  std::memcpy(&first, norm->data, 4);
  CHECK(first == 1.0f + value_at(6, 0));
}

TEST_CASE("ballast-import: Q8_0 weights dequantize to the exported values within half a step") {
  const TinyExport e = make_tiny_export(false);
  auto bytes = import_bytes(e, ImportWeightType::q8_0);
  REQUIRE_MESSAGE(bytes.is_ok(), bytes.status().to_string());
  auto parsed = GgufFile::parse(bytes->data(), bytes->size());
  REQUIRE(parsed.is_ok());
  const GgufFile &f = parsed.value();
  CHECK(f.get_uint("general.file_type").value() == 7);
  CHECK(f.find("ballast.sink_token_id") == nullptr);
  CHECK_FALSE(f.get_bool("tokenizer.ggml.add_bos_token").value());
  const GgufTensorInfo *down = f.find_tensor("blk.0.ffn_down.weight");
  REQUIRE(down != nullptr);
  CHECK(down->type == TensorType::q8_0);
  CHECK(down->byte_size == 32 * (64 / 32) * 34);
  std::vector<float> row(64);
  dequantize_row_q8_0(down->data, row.data(), 64);  // first row
  float max_err = 0.0f;
  for (size_t i = 0; i < 64; ++i) {
    const float want = f16_to_f32(f32_to_f16(value_at(8, i)));
    max_err = std::fmax(max_err, std::fabs(row[i] - want));
  }
  CHECK(max_err > 0.0f);            // it really was quantized
  CHECK(max_err <= 0.5f / 127.0f * 1.01f);  // |x| <= 0.5: step <= 0.5/127
}

TEST_CASE("ballast-import: rejects inconsistent inputs with a named cause") {
  TinyExport e = make_tiny_export(false);
  SUBCASE("shape that disagrees with the hyperparameters") {
    const size_t pos = e.manifest.find("blk.0.attn_k.weight\tf16\t16,32");
    REQUIRE(pos != std::string::npos);
    e.manifest.replace(pos, std::strlen("blk.0.attn_k.weight\tf16\t16,32"), "blk.0.attn_k.weight\tf16\t32,16");
    auto r = import_bytes(e, ImportWeightType::f16);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message().find("blk.0.attn_k.weight") != std::string::npos);
  }
  SUBCASE("weights file too short") {
    e.weights.resize(e.weights.size() - 2);
    auto r = import_bytes(e, ImportWeightType::f16);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message().find("output.weight") != std::string::npos);
  }
  SUBCASE("missing tensor") {
    const size_t pos = e.manifest.find("tensor\toutput_norm.weight");
    e.manifest.erase(pos, e.manifest.find('\n', pos) + 1 - pos);
    auto r = import_bytes(e, ImportWeightType::f16);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message().find("missing tensor output_norm.weight") != std::string::npos);
  }
  SUBCASE("vocabulary size differs from the model's") {
    e.vocab += "8\t1\t-8\t63\n";
    auto r = import_bytes(e, ImportWeightType::f16);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message().find("vocab has 9 tokens") != std::string::npos);
  }
  SUBCASE("byte count that disagrees with the shape") {
    const size_t pos = e.manifest.find("\t32\t", e.manifest.find("tensor\toutput_norm.weight"));
    REQUIRE(pos != std::string::npos);
    e.manifest.replace(pos, 4, "\t33\t");
    auto r = parse_import_manifest(e.manifest);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::corrupt_file);
  }
}

TEST_CASE("ballast-import: vocab.tsv parser checks ids, types and hex") {
  CHECK(parse_spm_vocab("0\t2\t0\t3c756e6b3e\n1\t3\t0\t3c733e\n2\t3\t0\t3c2f733e\n").is_ok());
  CHECK_FALSE(parse_spm_vocab("0\t2\t0\t3c756e6b3e\n2\t3\t0\t3c733e\n1\t3\t0\t3c2f733e\n").is_ok());  // order
  CHECK_FALSE(parse_spm_vocab("0\t2\t0\t3c756e6b3\n1\t3\t0\t3c733e\n2\t3\t0\t3c2f733e\n").is_ok());   // odd hex
  CHECK_FALSE(parse_spm_vocab("0\t9\t0\t3c756e6b3e\n1\t3\t0\t3c733e\n2\t3\t0\t3c2f733e\n").is_ok());  // type
  CHECK_FALSE(parse_spm_vocab("0\t2\tx\t3c756e6b3e\n1\t3\t0\t3c733e\n2\t3\t0\t3c2f733e\n").is_ok());  // score
  auto v = parse_spm_vocab("0\t2\t0\t3c756e6b3e\n1\t3\t0\t3c733e\n2\t3\t-1.5\te29681\n");
  REQUIRE(v.is_ok());
  CHECK(v->pieces[2] == "\xe2\x96\x81");
  CHECK(v->scores[2] == -1.5f);
}

}  // namespace
}  // namespace ballast
