// Reads tests/golden/fixtures/manifest.txt (written by make_golden_fixtures.sh;
// format in README.md): per model, how its file is made, its SHA-256, the
// prompt, llama.cpp's greedy continuation and its logits fixture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"

namespace ballast {
namespace golden {

struct GoldenModel {
  std::string name;            // e.g. "llama-q4_k"
  std::string mkmodel_options; // ballast-mkmodel options (without -o); empty for a stock file
  std::string stock_source;    // stock files: the model llama.cpp quantized (e.g. "llama-f16")
  std::string stock_type;      // stock files: llama.cpp's type name (e.g. "Q4_K_M")
  std::string sha256;          // of the model file, lowercase hex
  std::vector<int32_t> tokens; // the prompt, first = BOS
  std::vector<int32_t> greedy; // llama.cpp's argmax continuation
  std::vector<double> margins; // per greedy step: (top1 - top2 logit) / max |logit| in llama.cpp
  std::string logits_file;     // fixture name: raw float32 [tokens][n_vocab]
  bool is_stock() const { return mkmodel_options.empty(); }
};

struct GoldenManifest {
  std::string llamacpp;  // llama.cpp version line
  uint32_t n_vocab = 0;
  std::vector<GoldenModel> models;
  const GoldenModel *find(const std::string &name) const;
};

Result<GoldenManifest> read_golden_manifest(const std::string &path);
// "1,2,3" -> {1, 2, 3}.
Result<std::vector<int32_t>> parse_id_list(const std::string &text);

}  // namespace golden
}  // namespace ballast
