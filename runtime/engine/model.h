// A loaded model: the mapped GGUF file, its hyperparameters, the weight views
// and the tokenizer. Immutable after load_model(); one Model may serve many
// sessions on many threads.
#pragma once

#include <memory>
#include <string>

#include "models/arch/model_weights.h"
#include "models/model_config.h"
#include "models/model_file.h"
#include "models/tokenizer/tokenizer.h"
#include "platform/status.h"

namespace ballast {

struct Model {
  std::unique_ptr<ModelFile> file;  // owns the mapping every view below points into
  ModelConfig config;
  ModelWeights weights;
  Tokenizer tokenizer;
};

// Maps, parses and validates `path`: architecture, hyperparameters, every
// tensor's name/shape/type, the tokenizer. Errors name the file and the field.
Result<std::unique_ptr<Model>> load_model(const std::string &path);

}  // namespace ballast
