#include "models/tokenizer/vocab.h"

#include <string_view>

#include "models/gguf/gguf_reader.h"
#include "models/tokenizer/pretokenizer.h"

namespace ballast {
namespace {

constexpr const char *kKeyModel = "tokenizer.ggml.model";
constexpr const char *kKeyPre = "tokenizer.ggml.pre";
constexpr const char *kKeyTokens = "tokenizer.ggml.tokens";
constexpr const char *kKeyScores = "tokenizer.ggml.scores";
constexpr const char *kKeyTypes = "tokenizer.ggml.token_type";
constexpr const char *kKeyMerges = "tokenizer.ggml.merges";

// Optional special-token id: absent keeps *id; present must be in range.
Status read_token_id(const GgufFile &file, const char *key, size_t n_vocab, int32_t *id) {
  if (file.find(key) == nullptr) return Status::ok();
  BALLAST_ASSIGN_OR_RETURN(uint64_t value, file.get_uint(key));
  if (value >= n_vocab) {
    return make_status(StatusCode::corrupt_file, "%s = %llu is out of range (vocabulary has %zu tokens)", key,
                       static_cast<unsigned long long>(value), n_vocab);
  }
  *id = static_cast<int32_t>(value);
  return Status::ok();
}

Status read_flag(const GgufFile &file, const char *key, bool *flag) {
  BALLAST_ASSIGN_OR_RETURN(bool value, file.get_bool_or(key, *flag));
  *flag = value;
  return Status::ok();
}

}  // namespace

const char *vocab_model_name(VocabModel model) { return model == VocabModel::llama ? "llama" : "gpt2"; }

Result<Vocab> load_vocab(const GgufFile &file) {
  Vocab vocab;
  if (file.find(kKeyModel) == nullptr) {
    return make_status(StatusCode::invalid_argument, "no tokenizer: key %s is missing", kKeyModel);
  }
  BALLAST_ASSIGN_OR_RETURN(std::string_view model, file.get_string(kKeyModel));
  if (model == "llama") {
    vocab.model = VocabModel::llama;
  } else if (model == "gpt2") {
    vocab.model = VocabModel::gpt2;
  } else {
    return make_status(StatusCode::unsupported, "%s = '%.*s' is not supported (llama or gpt2)", kKeyModel,
                       static_cast<int>(model.size()), model.data());
  }
  BALLAST_ASSIGN_OR_RETURN(std::string_view pre, file.get_string_or(kKeyPre, ""));
  vocab.pre.assign(pre.data(), pre.size());

  if (file.find(kKeyTokens) == nullptr) {
    return make_status(StatusCode::corrupt_file, "key %s is missing", kKeyTokens);
  }
  BALLAST_ASSIGN_OR_RETURN(std::vector<std::string_view> tokens, file.get_string_array(kKeyTokens));
  if (tokens.empty()) return make_status(StatusCode::corrupt_file, "%s is empty", kKeyTokens);
  if (tokens.size() > 0x7FFFFFFFu) return make_status(StatusCode::corrupt_file, "%s has too many tokens", kKeyTokens);
  const size_t n_vocab = tokens.size();
  vocab.tokens.reserve(n_vocab);
  for (size_t i = 0; i < n_vocab; ++i) {
    if (tokens[i].empty()) {
      vocab.tokens.push_back("[EMPTY_" + std::to_string(i) + "]");  // as llama.cpp renames empty tokens
    } else {
      vocab.tokens.emplace_back(tokens[i]);
    }
  }

  if (const GgufValue *scores = file.find(kKeyScores)) {
    if (scores->type == GgufValueType::array && scores->array_type == GgufValueType::int32) {
      BALLAST_ASSIGN_OR_RETURN(std::vector<int32_t> int_scores, file.get_i32_array(kKeyScores));
      vocab.scores.assign(int_scores.begin(), int_scores.end());
    } else {
      BALLAST_ASSIGN_OR_RETURN(vocab.scores, file.get_f32_array(kKeyScores));
    }
    if (vocab.scores.size() != n_vocab) {
      return make_status(StatusCode::corrupt_file, "%s has %zu entries, %s has %zu", kKeyScores, vocab.scores.size(),
                         kKeyTokens, n_vocab);
    }
  } else {
    vocab.scores.assign(n_vocab, 0.0f);
  }

  if (file.find(kKeyTypes) != nullptr) {
    BALLAST_ASSIGN_OR_RETURN(std::vector<int32_t> types, file.get_i32_array(kKeyTypes));
    if (types.size() != n_vocab) {
      return make_status(StatusCode::corrupt_file, "%s has %zu entries, %s has %zu", kKeyTypes, types.size(), kKeyTokens,
                         n_vocab);
    }
    vocab.types.reserve(n_vocab);
    for (int32_t t : types) {
      // Unknown values behave like "undefined" (llama.cpp does the same).
      vocab.types.push_back(t >= 0 && t <= 6 ? static_cast<TokenType>(t) : TokenType::undefined);
    }
  } else {
    vocab.types.assign(n_vocab, TokenType::normal);
  }

  if (vocab.model == VocabModel::gpt2) {
    if (file.find(kKeyMerges) == nullptr) {
      return make_status(StatusCode::corrupt_file, "gpt2 tokenizer without %s", kKeyMerges);
    }
    BALLAST_ASSIGN_OR_RETURN(std::vector<std::string_view> merges, file.get_string_array(kKeyMerges));
    vocab.merges.assign(merges.begin(), merges.end());
  }

  // Per-kind defaults (llama.cpp), then the keys.
  if (vocab.model == VocabModel::llama) {
    vocab.bos_id = 1;
    vocab.eos_id = 2;
    vocab.unk_id = 0;
    vocab.add_bos = true;
    vocab.add_space_prefix = true;
  } else {
    BALLAST_ASSIGN_OR_RETURN(PreTokenizerInfo info, pre_tokenizer_from_name(vocab.pre));
    vocab.bos_id = 11;
    vocab.eos_id = 11;
    vocab.add_bos = info.add_bos;
    vocab.add_space_prefix = false;
  }
  auto in_range_or_none = [&](int32_t id) { return id >= 0 && static_cast<size_t>(id) < n_vocab ? id : kNoToken; };
  vocab.bos_id = in_range_or_none(vocab.bos_id);
  vocab.eos_id = in_range_or_none(vocab.eos_id);
  vocab.unk_id = in_range_or_none(vocab.unk_id);

  BALLAST_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.bos_token_id", n_vocab, &vocab.bos_id));
  BALLAST_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.eos_token_id", n_vocab, &vocab.eos_id));
  BALLAST_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.unknown_token_id", n_vocab, &vocab.unk_id));
  BALLAST_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.padding_token_id", n_vocab, &vocab.pad_id));
  BALLAST_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.eot_token_id", n_vocab, &vocab.eot_id));
  BALLAST_RETURN_IF_ERROR(read_flag(file, "tokenizer.ggml.add_bos_token", &vocab.add_bos));
  BALLAST_RETURN_IF_ERROR(read_flag(file, "tokenizer.ggml.add_eos_token", &vocab.add_eos));
  BALLAST_RETURN_IF_ERROR(read_flag(file, "tokenizer.ggml.add_space_prefix", &vocab.add_space_prefix));

  BALLAST_RETURN_IF_ERROR(validate_vocab(vocab));
  return vocab;
}

Status validate_vocab(const Vocab &vocab) {
  const size_t n = vocab.tokens.size();
  if (n == 0) return make_status(StatusCode::invalid_argument, "vocabulary is empty");
  if (n > 0x7FFFFFFFu) return make_status(StatusCode::invalid_argument, "vocabulary too large (%zu tokens)", n);
  if (vocab.scores.size() != n) {
    return make_status(StatusCode::invalid_argument, "vocabulary has %zu tokens but %zu scores", n, vocab.scores.size());
  }
  if (vocab.types.size() != n) {
    return make_status(StatusCode::invalid_argument, "vocabulary has %zu tokens but %zu token types", n,
                       vocab.types.size());
  }
  for (size_t i = 0; i < n; ++i) {
    if (vocab.tokens[i].empty()) return make_status(StatusCode::invalid_argument, "token %zu is empty", i);
  }
  const struct {
    const char *name;
    int32_t id;
  } ids[] = {{"bos", vocab.bos_id}, {"eos", vocab.eos_id}, {"unk", vocab.unk_id}, {"pad", vocab.pad_id},
             {"eot", vocab.eot_id}};
  for (const auto &entry : ids) {
    if (entry.id != kNoToken && (entry.id < 0 || static_cast<size_t>(entry.id) >= n)) {
      return make_status(StatusCode::invalid_argument, "%s token id %d is out of range (vocabulary has %zu tokens)",
                         entry.name, entry.id, n);
    }
  }
  if (vocab.add_bos && vocab.bos_id == kNoToken) {
    return make_status(StatusCode::invalid_argument, "tokenizer.ggml.add_bos_token is true but there is no bos token");
  }
  if (vocab.add_eos && vocab.eos_id == kNoToken) {
    return make_status(StatusCode::invalid_argument, "tokenizer.ggml.add_eos_token is true but there is no eos token");
  }
  return Status::ok();
}

}  // namespace ballast
