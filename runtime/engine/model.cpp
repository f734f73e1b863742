#include "runtime/engine/model.h"

namespace ballast {
namespace {
Status with_path(const std::string &path, const Status &s) {
  return Status(s.code(), "'" + path + "': " + s.message());
}
}  // namespace

Result<std::unique_ptr<Model>> load_model(const std::string &path) {
  BALLAST_ASSIGN_OR_RETURN(std::unique_ptr<ModelFile> file, ModelFile::open(path));
  Result<ModelConfig> config = read_model_config(file->gguf());
  if (!config.is_ok()) return with_path(path, config.status());
  Result<ModelWeights> weights = bind_model_weights(file->gguf(), config.value());
  if (!weights.is_ok()) return with_path(path, weights.status());
  Result<Vocab> vocab = load_vocab(file->gguf());
  if (!vocab.is_ok()) return with_path(path, vocab.status());
  if (vocab->tokens.size() != config->n_vocab) {
    return with_path(path, make_status(StatusCode::corrupt_file, "tokenizer has %zu tokens but token_embd.weight has %u rows",
                                       vocab->tokens.size(), config->n_vocab));
  }
  Result<Tokenizer> tokenizer = Tokenizer::create(std::move(vocab).value());
  if (!tokenizer.is_ok()) return with_path(path, tokenizer.status());
  auto model = std::make_unique<Model>(Model{std::move(file), std::move(config).value(), std::move(weights).value(),
                                             std::move(tokenizer).value()});
  return model;
}

}  // namespace ballast
