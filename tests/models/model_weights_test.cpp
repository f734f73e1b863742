#include <doctest/doctest.h>

#include "models/arch/model_weights.h"
#include "tests/models/model_test_helpers.h"

using namespace ballast;
using ballast::test::make_parsed_model;

namespace {
Result<ModelWeights> bind(const GgufFile &gguf) {
  BALLAST_ASSIGN_OR_RETURN(ModelConfig config, read_model_config(gguf));
  return bind_model_weights(gguf, config);
}
}  // namespace

TEST_CASE("weights bind for every architecture with the arch-specific tensors") {
  for (auto arch : {mkmodel::ModelArch::llama, mkmodel::ModelArch::qwen2, mkmodel::ModelArch::qwen3}) {
    CAPTURE(mkmodel::arch_name(arch));
    mkmodel::ModelSpec spec;
    spec.arch = arch;
    spec.type = TensorType::q8_0;
    auto model = make_parsed_model(spec);
    auto weights = bind(model.gguf.value());
    REQUIRE_MESSAGE(weights.is_ok(), weights.status().to_string());
    const ModelWeights &w = weights.value();
    REQUIRE(w.layers.size() == spec.layers);
    const LayerWeights &l = w.layers[1];
    CHECK(l.wq.type == TensorType::q8_0);
    CHECK(l.wq.rows == spec.dim);
    CHECK(l.wq.cols == spec.dim);
    CHECK(l.wq.row_bytes == spec.dim / 32 * 34);
    CHECK(l.wk.rows == uint64_t{spec.kv_heads} * spec.effective_head_dim());
    CHECK(l.ffn_down.rows == spec.dim);
    CHECK(l.ffn_down.cols == spec.ffn);
    CHECK(l.attn_norm.type == TensorType::f32);
    CHECK(l.bq.present() == (arch == mkmodel::ModelArch::qwen2));
    CHECK(l.q_norm.present() == (arch == mkmodel::ModelArch::qwen3));
    CHECK(w.output.data != w.token_embd.data);
    // The views point into the parsed bytes.
    CHECK(w.token_embd.data >= model.bytes.data());
    CHECK(w.token_embd.data + w.token_embd.rows * w.token_embd.row_bytes <= model.bytes.data() + model.bytes.size());
    CHECK(w.total_bytes > 0);
  }
}

TEST_CASE("tied output reuses token_embd") {
  mkmodel::ModelSpec spec;
  spec.tied = true;
  auto model = make_parsed_model(spec);
  auto weights = bind(model.gguf.value());
  REQUIRE(weights.is_ok());
  CHECK(weights->output.data == weights->token_embd.data);
}

TEST_CASE("a tensor with the wrong shape is refused with its name and both shapes") {
  mkmodel::ModelSpec spec;
  auto model = make_parsed_model(spec, [](GgufWriter &w) {
    // A second file-level tensor would collide; instead claim more FFN width than the tensors have.
    w.set_u32("llama.feed_forward_length", 256);
  });
  auto weights = bind(model.gguf.value());
  REQUIRE_FALSE(weights.is_ok());
  CHECK(weights.status().message().find("blk.0.ffn_gate.weight") != std::string::npos);
  CHECK(weights.status().message().find("expected [64, 256]") != std::string::npos);
}
