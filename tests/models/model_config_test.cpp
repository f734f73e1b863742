#include <doctest/doctest.h>

#include "models/model_config.h"
#include "tests/models/model_test_helpers.h"

using namespace ballast;
using ballast::test::make_parsed_model;

TEST_CASE("model config reads llama hyperparameters from a generated model") {
  mkmodel::ModelSpec spec;
  spec.dim = 96;
  spec.layers = 3;
  spec.heads = 6;
  spec.kv_heads = 2;
  spec.ffn = 160;
  spec.vocab = 300;
  spec.rope_theta = 500000.0f;
  auto model = make_parsed_model(spec);
  auto config = read_model_config(model.gguf.value());
  REQUIRE_MESSAGE(config.is_ok(), config.status().to_string());
  const ModelConfig &c = config.value();
  CHECK(c.arch == Architecture::llama);
  CHECK(c.n_embd == 96);
  CHECK(c.n_layer == 3);
  CHECK(c.n_head == 6);
  CHECK(c.n_head_kv == 2);
  CHECK(c.head_dim_k == 16);
  CHECK(c.head_dim_v == 16);
  CHECK(c.n_ff == 160);
  CHECK(c.n_vocab == 300);
  CHECK(c.rope_freq_base == doctest::Approx(500000.0));
  CHECK(c.rope_dim == 16);
  CHECK_FALSE(c.rope_neox);
  CHECK_FALSE(c.tied_output);
  CHECK(c.sink_token_id == -1);
}

TEST_CASE("model config knows qwen2 and qwen3 use neox RoPE and honours tied output") {
  for (auto arch : {mkmodel::ModelArch::qwen2, mkmodel::ModelArch::qwen3}) {
    mkmodel::ModelSpec spec;
    spec.arch = arch;
    spec.tied = true;
    auto model = make_parsed_model(spec);
    auto config = read_model_config(model.gguf.value());
    REQUIRE_MESSAGE(config.is_ok(), config.status().to_string());
    CHECK(config->rope_neox);
    CHECK(config->tied_output);
  }
}

TEST_CASE("model config reads a model-declared sink token and validates it") {
  mkmodel::ModelSpec spec;
  auto good = make_parsed_model(spec, [](GgufWriter &w) {
    w.set_u32("ballast.sink_token_id", 1);
    w.set_u32("ballast.sink_slots", 1);
  });
  auto config = read_model_config(good.gguf.value());
  REQUIRE(config.is_ok());
  CHECK(config->sink_token_id == 1);
  CHECK(config->sink_slots == 1);

  auto bad = make_parsed_model(spec, [](GgufWriter &w) { w.set_u32("ballast.sink_token_id", 100000); });
  auto rejected = read_model_config(bad.gguf.value());
  CHECK_FALSE(rejected.is_ok());
  CHECK(rejected.status().message().find("ballast.sink_token_id") != std::string::npos);
}

TEST_CASE("model config rejects inconsistent hyperparameters, naming the key") {
  mkmodel::ModelSpec spec;
  struct Case {
    const char *what;
    std::function<void(GgufWriter &)> edit;
    const char *expected;
  };
  const Case cases[] = {
      {"kv heads not dividing heads", [](GgufWriter &w) { w.set_u32("llama.attention.head_count_kv", 3); },
       "head_count_kv"},
      {"zero layers", [](GgufWriter &w) { w.set_u32("llama.block_count", 0); }, "llama.block_count"},
      {"unsupported architecture", [](GgufWriter &w) { w.set_string("general.architecture", "mamba"); },
       "not supported"},
      {"width that disagrees with token_embd", [](GgufWriter &w) { w.set_u32("llama.embedding_length", 128); },
       "token_embd.weight"},
      {"string where a number belongs", [](GgufWriter &w) { w.set_string("llama.feed_forward_length", "big"); },
       "llama.feed_forward_length"},
      {"odd rope dims", [](GgufWriter &w) { w.set_u32("llama.rope.dimension_count", 7); }, "rope.dimension_count"},
  };
  for (const Case &c : cases) {
    CAPTURE(c.what);
    auto model = make_parsed_model(spec, c.edit);
    auto config = read_model_config(model.gguf.value());
    REQUIRE_FALSE(config.is_ok());
    CHECK_MESSAGE(config.status().message().find(c.expected) != std::string::npos, config.status().message());
  }
}
