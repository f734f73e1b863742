#include "tools/mkmodel/vocab_source.h"

#include <cstdio>

#include "models/gguf/gguf_reader.h"
#include "platform/file_mapping.h"

namespace ballast {
namespace mkmodel {
namespace {

const char kSpaceMarker[] = "\xE2\x96\x81";  // U+2581 '▁', SentencePiece's word-start marker

// llama.cpp token types.
constexpr int32_t kTokenNormal = 1;
constexpr int32_t kTokenUnknown = 2;
constexpr int32_t kTokenControl = 3;
constexpr int32_t kTokenByte = 6;

// All strings of `length` lowercase letters, in order, appended to `out` until it holds `limit`.
void append_letter_strings(std::vector<std::string> &out, const std::string &prefix, int length, size_t limit) {
  std::string s(static_cast<size_t>(length), 'a');
  while (out.size() < limit) {
    out.push_back(prefix + s);
    int i = length - 1;  // odometer increment
    while (i >= 0 && s[static_cast<size_t>(i)] == 'z') s[static_cast<size_t>(i--)] = 'a';
    if (i < 0) return;
    ++s[static_cast<size_t>(i)];
  }
}

}  // namespace

std::vector<std::string> synthetic_tokens(uint32_t vocab_size) {
  std::vector<std::string> tokens;
  tokens.reserve(vocab_size);
  tokens.push_back("<unk>");
  tokens.push_back("<s>");
  tokens.push_back("</s>");
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    tokens.push_back(name);
  }
  for (char c = 33; c < 127 && tokens.size() < vocab_size; ++c) tokens.push_back(std::string(1, c));
  if (tokens.size() < vocab_size) tokens.push_back(kSpaceMarker);
  for (int length = 1; tokens.size() < vocab_size; ++length) {
    if (length > 1) append_letter_strings(tokens, "", length, vocab_size);  // length 1 letters came with ASCII
    append_letter_strings(tokens, kSpaceMarker, length, vocab_size);
  }
  tokens.resize(vocab_size);
  return tokens;
}

Status add_synthetic_vocab(GgufWriter &writer, uint32_t vocab_size) {
  if (vocab_size < kMinSyntheticVocab) {
    return make_status(StatusCode::invalid_argument,
                       "a synthetic vocabulary needs at least %u tokens (<unk>, <s>, </s>, 256 bytes), got %u",
                       kMinSyntheticVocab, vocab_size);
  }
  const std::vector<std::string> tokens = synthetic_tokens(vocab_size);
  std::vector<float> scores(tokens.size(), 0.0f);
  std::vector<int32_t> types(tokens.size(), kTokenNormal);
  types[0] = kTokenUnknown;
  types[1] = kTokenControl;
  types[2] = kTokenControl;
  for (size_t i = 3; i < 3 + 256; ++i) types[i] = kTokenByte;
  // Normal pieces: earlier (shorter) pieces score higher, as SentencePiece log-probabilities would.
  for (size_t i = 3 + 256; i < tokens.size(); ++i) scores[i] = -static_cast<float>(i - (3 + 256)) * 0.01f;
  writer.set_string("tokenizer.ggml.model", "llama");
  writer.set_string_array("tokenizer.ggml.tokens", tokens);
  writer.set_f32_array("tokenizer.ggml.scores", scores);
  writer.set_i32_array("tokenizer.ggml.token_type", types);
  writer.set_u32("tokenizer.ggml.unknown_token_id", 0);
  writer.set_u32("tokenizer.ggml.bos_token_id", 1);
  writer.set_u32("tokenizer.ggml.eos_token_id", 2);
  writer.set_bool("tokenizer.ggml.add_bos_token", true);
  writer.set_bool("tokenizer.ggml.add_eos_token", false);
  return Status::ok();
}

Result<uint32_t> copy_vocab_from_gguf(GgufWriter &writer, const std::string &path) {
  BALLAST_ASSIGN_OR_RETURN(FileMapping mapping, FileMapping::open(path));
  BALLAST_ASSIGN_OR_RETURN(GgufFile file, GgufFile::parse(mapping.data(), mapping.size()));
  const GgufValue *tokens = file.find("tokenizer.ggml.tokens");
  if (tokens == nullptr || tokens->type != GgufValueType::array || tokens->array_type != GgufValueType::string) {
    return make_status(StatusCode::invalid_argument, "'%s' has no tokenizer.ggml.tokens string array", path.c_str());
  }
  if (tokens->array_count == 0 || tokens->array_count > UINT32_MAX) {
    return make_status(StatusCode::invalid_argument, "'%s': tokenizer.ggml.tokens has %llu entries", path.c_str(),
                       static_cast<unsigned long long>(tokens->array_count));
  }
  const std::string prefix = "tokenizer.";
  for (const GgufKeyValue &kv : file.metadata()) {
    if (kv.key.compare(0, prefix.size(), prefix) != 0) continue;
    // Copy the value's bytes as they are in the file (file_offset = first byte after the type field).
    uint64_t length = 0;
    switch (kv.value.type) {
      case GgufValueType::string: length = 8 + kv.value.string.size(); break;
      case GgufValueType::array: length = 4 + 8 + kv.value.array_bytes; break;
      default: length = gguf_scalar_size(kv.value.type); break;
    }
    if (length == 0 || kv.value.file_offset + length > mapping.size()) {
      return make_status(StatusCode::corrupt_file, "'%s': cannot copy key '%.*s'", path.c_str(),
                         static_cast<int>(kv.key.size()), kv.key.data());
    }
    const uint8_t *start = mapping.data() + kv.value.file_offset;
    writer.set_raw(std::string(kv.key), kv.value.type, std::vector<uint8_t>(start, start + length));
  }
  return static_cast<uint32_t>(tokens->array_count);
}

}  // namespace mkmodel
}  // namespace ballast
