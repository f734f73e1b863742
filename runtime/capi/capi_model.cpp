// C API: model loading, model information and the tokenizer helpers.
#include <cstring>
#include <string>
#include <vector>

#include "runtime/capi/ballast.h"
#include "runtime/capi/capi_errors.h"
#include "runtime/capi/capi_handles.h"

using ballast::capi::guarded;
using ballast::capi::record_error;
using ballast::capi::record_status;

namespace {

// Copies `bytes` plus a NUL into buf, or reports the size needed.
ballast_status copy_text_out(const char *function, const char *bytes, size_t length, char *buf, size_t capacity,
                             size_t *n_bytes) {
  *n_bytes = length;
  if (buf == nullptr || capacity < length + 1) {
    return record_error(BALLAST_ERROR_BUFFER_TOO_SMALL, nullptr, "%s: needs %zu bytes (text + NUL), buffer has %zu",
                        function, length + 1, buf == nullptr ? size_t{0} : capacity);
  }
  if (length > 0) std::memcpy(buf, bytes, length);
  buf[length] = '\0';
  return BALLAST_OK;
}

const ballast::Tokenizer *tokenizer_of(const ballast_model *model) { return &model->model->tokenizer; }

}  // namespace

extern "C" {

BALLAST_API ballast_model_params ballast_model_default_params(void) {
  ballast_model_params p;
  p.prefetch = false;
  return p;
}

BALLAST_API ballast_status ballast_model_load(const char *path, const ballast_model_params *params,
                                              ballast_model **out_model) {
  if (out_model != nullptr) *out_model = nullptr;
  return guarded("ballast_model_load", nullptr, [&]() -> ballast_status {
    if (path == nullptr || out_model == nullptr) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_model_load: %s is NULL",
                          path == nullptr ? "path" : "out_model");
    }
    const ballast_model_params p = params != nullptr ? *params : ballast_model_default_params();
    ballast::Result<std::unique_ptr<ballast::Model>> loaded = ballast::load_model(path);
    if (!loaded.is_ok()) return record_status(loaded.status(), nullptr);
    if (p.prefetch) {
      // Advisory: a refused hint leaves the model fully usable.
      (void)loaded.value()->file->mapping().advise(ballast::MappingAdvice::willneed);
    }
    std::unique_ptr<ballast_model> model(new ballast_model());
    model->model = std::move(loaded).value();
    *out_model = model.release();
    return BALLAST_OK;
  });
}

BALLAST_API void ballast_model_free(ballast_model *model) { delete model; }

BALLAST_API int32_t ballast_model_n_vocab(const ballast_model *model) {
  return model != nullptr ? static_cast<int32_t>(model->model->config.n_vocab) : -1;
}

BALLAST_API int32_t ballast_model_n_ctx_train(const ballast_model *model) {
  return model != nullptr ? static_cast<int32_t>(model->model->config.n_ctx_train) : -1;
}

BALLAST_API int32_t ballast_model_n_layer(const ballast_model *model) {
  return model != nullptr ? static_cast<int32_t>(model->model->config.n_layer) : -1;
}

BALLAST_API int32_t ballast_model_n_embd(const ballast_model *model) {
  return model != nullptr ? static_cast<int32_t>(model->model->config.n_embd) : -1;
}

BALLAST_API const char *ballast_model_architecture(const ballast_model *model) {
  return model != nullptr ? ballast::architecture_name(model->model->config.arch) : "";
}

BALLAST_API const char *ballast_model_name(const ballast_model *model) {
  return model != nullptr ? model->model->config.name.c_str() : "";
}

BALLAST_API int32_t ballast_model_bos_token(const ballast_model *model) {
  return model != nullptr ? tokenizer_of(model)->bos_id() : -1;
}

BALLAST_API int32_t ballast_model_eos_token(const ballast_model *model) {
  return model != nullptr ? tokenizer_of(model)->eos_id() : -1;
}

BALLAST_API int32_t ballast_model_eot_token(const ballast_model *model) {
  return model != nullptr ? tokenizer_of(model)->eot_id() : -1;
}

BALLAST_API int32_t ballast_model_declared_sink_slots(const ballast_model *model) {
  return model != nullptr ? static_cast<int32_t>(model->model->config.sink_slots) : -1;
}

BALLAST_API bool ballast_model_is_end_of_generation(const ballast_model *model, int32_t token) {
  if (model == nullptr || token < 0 || static_cast<size_t>(token) >= tokenizer_of(model)->n_vocab()) return false;
  return tokenizer_of(model)->is_end_of_generation(token);
}

BALLAST_API ballast_status ballast_tokenize(const ballast_model *model, const char *text, size_t text_len,
                                            bool add_special, bool parse_special, int32_t *tokens, size_t capacity,
                                            size_t *n_tokens) {
  return guarded("ballast_tokenize", nullptr, [&]() -> ballast_status {
    if (model == nullptr || n_tokens == nullptr || (text == nullptr && text_len > 0) ||
        (tokens == nullptr && capacity > 0)) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr,
                          "ballast_tokenize: NULL %s", model == nullptr ? "model"
                                                       : n_tokens == nullptr ? "n_tokens"
                                                       : text == nullptr ? "text with text_len > 0"
                                                                         : "tokens with capacity > 0");
    }
    std::vector<int32_t> ids;
    const std::string_view view(text_len > 0 ? text : "", text_len);
    ballast::Status encoded = tokenizer_of(model)->encode(view, add_special, parse_special, &ids);
    if (!encoded.is_ok()) return record_status(encoded, nullptr);
    *n_tokens = ids.size();
    if (ids.size() > capacity) {
      return record_error(BALLAST_ERROR_BUFFER_TOO_SMALL, nullptr, "ballast_tokenize: text gives %zu tokens, capacity is %zu",
                          ids.size(), capacity);
    }
    if (!ids.empty()) std::memcpy(tokens, ids.data(), ids.size() * sizeof(int32_t));
    return BALLAST_OK;
  });
}

BALLAST_API ballast_status ballast_token_to_piece(const ballast_model *model, int32_t token, bool render_special,
                                                  char *buf, size_t capacity, size_t *n_bytes) {
  return guarded("ballast_token_to_piece", nullptr, [&]() -> ballast_status {
    if (model == nullptr || n_bytes == nullptr) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_token_to_piece: NULL %s",
                          model == nullptr ? "model" : "n_bytes");
    }
    const size_t n_vocab = tokenizer_of(model)->n_vocab();
    if (token < 0 || static_cast<size_t>(token) >= n_vocab) {
      return record_error(BALLAST_ERROR_OUT_OF_RANGE, nullptr, "ballast_token_to_piece: token %d is outside [0, %zu)",
                          token, n_vocab);
    }
    const std::string_view piece = tokenizer_of(model)->token_to_piece(token, render_special);
    return copy_text_out("ballast_token_to_piece", piece.data(), piece.size(), buf, capacity, n_bytes);
  });
}

BALLAST_API ballast_status ballast_detokenize(const ballast_model *model, const int32_t *tokens, size_t n_tokens,
                                              bool render_special, char *buf, size_t capacity, size_t *n_bytes) {
  return guarded("ballast_detokenize", nullptr, [&]() -> ballast_status {
    if (model == nullptr || n_bytes == nullptr || (tokens == nullptr && n_tokens > 0)) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_detokenize: NULL %s",
                          model == nullptr ? "model" : n_bytes == nullptr ? "n_bytes" : "tokens with n_tokens > 0");
    }
    const size_t n_vocab = tokenizer_of(model)->n_vocab();
    for (size_t i = 0; i < n_tokens; ++i) {
      if (tokens[i] < 0 || static_cast<size_t>(tokens[i]) >= n_vocab) {
        return record_error(BALLAST_ERROR_OUT_OF_RANGE, nullptr, "ballast_detokenize: tokens[%zu] = %d is outside [0, %zu)",
                            i, tokens[i], n_vocab);
      }
    }
    const std::string text = tokenizer_of(model)->decode(std::vector<int32_t>(tokens, tokens + n_tokens), render_special);
    return copy_text_out("ballast_detokenize", text.data(), text.size(), buf, capacity, n_bytes);
  });
}

}  // extern "C"
