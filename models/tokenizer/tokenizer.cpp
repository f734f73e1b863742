#include "models/tokenizer/tokenizer.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "models/tokenizer/bpe_encoder.h"
#include "models/tokenizer/byte_unicode.h"
#include "models/tokenizer/spm_encoder.h"
#include "models/tokenizer/unicode.h"

namespace ballast {
namespace {

// Texts llama.cpp recognises as end-of-turn / end-of-message / fill-in-the-
// middle tokens when no key names them; the token found is treated as control.
const char *const kEotTexts[] = {"<|eot_id|>",    "<|im_end|>", "<|end|>", "<end_of_turn>",
                                 "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>",
                                 "[EOT]",         ("<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"),
                                 "<end_of_utterance>"};
const char *const kFimTextGroups[][8] = {
    {"<|eom_id|>"},
    {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>", "<PRE>",
     "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"},
    {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81hole\xEF\xBD\x9C>", "<SUF>",
     "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"},
    {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>", "<MID>",
     "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"},
    {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"},
    {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"},
    {"<|file_sep|>"},
};

// Texts llama.cpp treats as end-of-generation: every token with one of them
// becomes a control token.
const char *const kEndOfGenerationTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
    "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
    "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    ("<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"), "[e~["};
// gpt-oss tokens llama.cpp always renders (user-defined).
const char *const kAlwaysRenderedTexts[] = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"};

bool is_control_or_unknown(TokenType t) { return t == TokenType::control || t == TokenType::unknown; }

// "<0xAB>" -> 0xAB; -1 if the text is not of that form.
int parse_byte_token(const std::string &text) {
  if (text.size() != 6 || text.compare(0, 3, "<0x") != 0 || text[5] != '>') return -1;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int hi = hex(text[3]), lo = hex(text[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

void replace_all(std::string *s, std::string_view from, std::string_view to) {
  std::string result;
  result.reserve(s->size());
  size_t pos = 0;
  for (size_t hit; (hit = s->find(from.data(), pos, from.size())) != std::string::npos; pos = hit + from.size()) {
    result.append(*s, pos, hit - pos);
    result.append(to.data(), to.size());
  }
  result.append(*s, pos, std::string::npos);
  s->swap(result);
}

// The three clean-up passes of llama.cpp's detokenize (clean_up_tokenization_spaces).
void clean_up_spaces(std::string *text) {
  std::string &t = *text;
  std::string out;
  // " ?" " !" " ." " ," -> drop the space.
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i > 0 && t[i - 1] == ' ' && (c == '?' || c == '!' || c == '.' || c == ',') && !out.empty()) out.pop_back();
    out.push_back(c);
  }
  t.swap(out);
  out.clear();
  // " ' " -> "'".
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i > 0 && c == '\'' && i + 1 < t.size() && t[i - 1] == ' ' && t[i + 1] == ' ') {
      if (!out.empty()) out.pop_back();
      out.push_back(c);
      ++i;  // skip the space after
      continue;
    }
    out.push_back(c);
  }
  t.swap(out);
  out.clear();
  // " 's" " 'm" " 're" " 've" -> drop the space.
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (i > 0 && t[i - 1] == ' ' && c == '\'' && i + 1 < t.size()) {
      const char c1 = t[i + 1];
      const char c2 = i + 2 < t.size() ? t[i + 2] : '\0';
      const bool drop = c1 == 's' || c1 == 'm' || (i + 2 < t.size() && ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e')));
      if (drop && !out.empty()) out.pop_back();
    }
    out.push_back(c);
  }
  t.swap(out);
}

}  // namespace

Result<Tokenizer> Tokenizer::create(Vocab vocab) {
  BALLAST_RETURN_IF_ERROR(validate_vocab(vocab));
  Tokenizer tokenizer;
  tokenizer.vocab_ = std::move(vocab);
  BALLAST_RETURN_IF_ERROR(tokenizer.build());
  return tokenizer;
}

Status Tokenizer::build() {
  const size_t n = vocab_.size();
  if (vocab_.model == VocabModel::gpt2) {
    BALLAST_ASSIGN_OR_RETURN(pre_, pre_tokenizer_from_name(vocab_.pre));
  } else {
    pre_ = PreTokenizerInfo{};
    pre_.clean_spaces = false;
  }

  token_ids_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!token_ids_.emplace(vocab_.tokens[i], static_cast<int32_t>(i)).second) {
      return make_status(StatusCode::corrupt_file, "token %zu '%s' duplicates token %d", i, vocab_.tokens[i].c_str(),
                         token_ids_[vocab_.tokens[i]]);
    }
  }
  if (vocab_.model == VocabModel::gpt2) {
    if (vocab_.merges.size() > static_cast<size_t>(INT32_MAX)) {
      return make_status(StatusCode::corrupt_file, "too many merges (%zu)", vocab_.merges.size());
    }
    merge_ranks_.reserve(vocab_.merges.size());
    for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
      const std::string &merge = vocab_.merges[rank];
      // llama.cpp splits at the first space after the first byte; a merge
      // without one can never apply. The first occurrence of a pair wins.
      if (merge.size() < 2 || merge.find(' ', 1) == std::string::npos) continue;
      merge_ranks_.emplace(merge, static_cast<int32_t>(rank));
    }
  }

  // Token types, with llama.cpp's fix-ups for well-known end-of-turn and
  // fill-in-the-middle texts (treated as control tokens).
  types_ = vocab_.types;
  auto force_control = [&](int32_t id) {
    if (types_[id] != TokenType::control) types_[id] = TokenType::control;
  };
  if (vocab_.eot_id == kNoToken) {
    for (const char *text : kEotTexts) {  // first text of the list that the vocabulary has
      const int32_t id = find_id(token_ids_, text);
      if (id >= 0) {
        vocab_.eot_id = id;
        force_control(id);
        break;
      }
    }
  }
  for (const auto &group : kFimTextGroups) {
    int32_t found = kNoToken;
    for (const char *text : group) {
      if (text == nullptr) break;
      const int32_t id = find_id(token_ids_, text);
      if (id >= 0 && (found == kNoToken || id < found)) found = id;
    }
    if (found != kNoToken) force_control(found);
  }
  end_of_generation_.assign(n, 0);
  for (const char *text : kEndOfGenerationTexts) {
    const int32_t id = find_id(token_ids_, text);
    if (id >= 0) {
      force_control(id);
      end_of_generation_[id] = 1;
    }
  }
  for (int32_t id : {vocab_.eos_id, vocab_.eot_id}) {
    if (id >= 0) end_of_generation_[id] = 1;
  }
  auto has = [&](const char *text) { return find_id(token_ids_, text) >= 0; };
  if (has("<|end|>") && ((has("<|return|>") && has("<|call|>")) || (has("<|calls|>") && has("<|flush|>")))) {
    const int32_t end = find_id(token_ids_, "<|end|>");
    types_[end] = TokenType::user_defined;  // harmony / solar-open: not end of generation
    end_of_generation_[end] = 0;
  }
  if (has("<|tool_response>") && has("</s>")) {
    const int32_t s_id = find_id(token_ids_, "</s>");
    types_[s_id] = TokenType::normal;
    end_of_generation_[s_id] = 0;
  }
  for (const char *text : kAlwaysRenderedTexts) {
    const int32_t id = find_id(token_ids_, text);
    if (id >= 0) types_[id] = TokenType::user_defined;
  }

  // Tokens matched whole in the text, longest first (ties in id order).
  for (size_t i = 0; i < n; ++i) {
    const TokenType t = types_[i];
    if (t == TokenType::control || t == TokenType::user_defined || t == TokenType::unknown) {
      special_ids_.push_back(static_cast<int32_t>(i));
    }
  }
  std::stable_sort(special_ids_.begin(), special_ids_.end(), [&](int32_t a, int32_t b) {
    return vocab_.tokens[a].size() > vocab_.tokens[b].size();
  });

  // SPM byte fallback: "<0xAB>", else the one-byte token.
  byte_tokens_.assign(256, kNoToken);
  for (int b = 0; b < 256; ++b) {
    char hex[7];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", b);
    int32_t id = find_id(token_ids_, hex);
    if (id < 0) id = find_id(token_ids_, std::string(1, static_cast<char>(b)));
    byte_tokens_[b] = id;
  }

  // Pieces (what each token decodes to), special tokens rendered.
  pieces_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string &text = vocab_.tokens[i];
    std::string &piece = pieces_[i];
    switch (types_[i]) {
      case TokenType::control:
      case TokenType::unknown:
      case TokenType::user_defined:
        piece = text;
        break;
      case TokenType::normal:
        if (vocab_.model == VocabModel::llama) {
          piece = text;
          replace_all(&piece, "\xE2\x96\x81", " ");
        } else {
          size_t offset = 0;
          while (offset < text.size()) {
            const size_t start = offset;
            const int32_t byte = unicode_to_byte(utf8_decode_one(text, &offset));
            if (byte >= 0) {
              piece.push_back(static_cast<char>(byte));
            } else {  // llama.cpp marks code points outside the byte mapping like this
              piece += "[UNK_BYTE_0x";
              for (size_t k = start; k < offset; ++k) {
                char hex[3];
                std::snprintf(hex, sizeof(hex), "%02x", static_cast<uint8_t>(text[k]));
                piece += hex;
              }
              piece += text;
              piece += "]";
            }
          }
        }
        break;
      case TokenType::byte: {
        const int byte = parse_byte_token(text);
        if (byte >= 0) piece.push_back(static_cast<char>(byte));
        break;
      }
      case TokenType::undefined:
      case TokenType::unused:
        break;
    }
    max_piece_bytes_ = std::max(max_piece_bytes_, piece.size());
  }
  return Status::ok();
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < end_of_generation_.size() && end_of_generation_[id] != 0;
}

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < types_.size() && is_control_or_unknown(types_[id]);
}

std::string_view Tokenizer::token_to_piece(int32_t id, bool render_special) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return {};
  if (!render_special && is_control_or_unknown(types_[id])) return {};
  return pieces_[id];
}

void Tokenizer::split_special(std::string_view text, bool parse_special, TokenizerWorkspace *ws) const {
  std::vector<TextFragment> &fragments = ws->fragments;
  std::vector<TextFragment> &next = ws->fragments_next;
  fragments.clear();
  if (text.empty()) return;
  fragments.push_back({-1, 0, static_cast<uint32_t>(text.size())});
  for (int32_t id : special_ids_) {
    if (!parse_special && is_control_or_unknown(types_[id])) continue;  // user-defined tokens always split
    const std::string &special = vocab_.tokens[id];
    next.clear();
    bool changed = false;
    for (const TextFragment &f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t begin = f.begin;
      const size_t end = size_t{f.begin} + f.length;
      while (begin < end) {
        const size_t hit = text.substr(0, end).find(special, begin);
        if (hit == std::string_view::npos) break;
        if (hit > begin) next.push_back({-1, static_cast<uint32_t>(begin), static_cast<uint32_t>(hit - begin)});
        next.push_back({id, static_cast<uint32_t>(hit), static_cast<uint32_t>(special.size())});
        begin = hit + special.size();
        changed = true;
      }
      if (begin < end) next.push_back({-1, static_cast<uint32_t>(begin), static_cast<uint32_t>(end - begin)});
    }
    if (changed) fragments.assign(next.begin(), next.end());  // a copy, not a swap: each keeps its capacity
  }
}

void Tokenizer::encode_text(std::string_view text, bool after_special, TokenizerWorkspace *ws,
                            std::vector<int32_t> *out) const {
  if (vocab_.model == VocabModel::llama) {
    std::string &escaped = ws->escaped;
    escaped.clear();
    if (vocab_.add_space_prefix && after_special) escaped += "\xE2\x96\x81";
    for (char c : text) {
      if (c == ' ') {
        escaped += "\xE2\x96\x81";
      } else {
        escaped.push_back(c);
      }
    }
    SpmModel model;
    model.token_ids = &token_ids_;
    model.scores = &vocab_.scores;
    model.byte_tokens = byte_tokens_.data();
    model.unk_id = vocab_.unk_id;
    spm_encode(model, escaped, &ws->symbols, &ws->spm_heap, out);
  } else {
    BpeModel model;
    model.token_ids = &token_ids_;
    model.merge_ranks = &merge_ranks_;
    model.pre = pre_.kind;
    model.ignore_merges = pre_.ignore_merges;
    bpe_encode(model, text, ws, out);
  }
}

Status Tokenizer::encode(std::string_view text, bool add_special, bool parse_special, std::vector<int32_t> *out) const {
  TokenizerWorkspace ws;
  return encode(text, add_special, parse_special, &ws, out);
}

Status Tokenizer::encode(std::string_view text, bool add_special, bool parse_special, TokenizerWorkspace *ws,
                         std::vector<int32_t> *out) const {
  if (out == nullptr) return make_status(StatusCode::invalid_argument, "encode: output is null");
  if (ws == nullptr) return make_status(StatusCode::invalid_argument, "encode: workspace is null");
  if (text.size() > static_cast<size_t>(INT32_MAX) / 4) {
    return make_status(StatusCode::invalid_argument, "encode: text of %zu bytes is too long", text.size());
  }
  split_special(text, parse_special, ws);

  if (add_special && vocab_.add_bos) out->push_back(vocab_.bos_id);
  // SPM prefixes a space to the first text and to text right after a special token.
  bool after_special = true;
  for (const TextFragment &f : ws->fragments) {
    if (f.token >= 0) {
      out->push_back(f.token);
      after_special = true;
    } else {
      encode_text(text.substr(f.begin, f.length), after_special, ws, out);
      after_special = false;
    }
  }
  if (add_special && vocab_.add_eos) out->push_back(vocab_.eos_id);
  return Status::ok();
}

size_t Tokenizer::max_encode_ids(size_t text_bytes) const {
  // One id per byte of the merged text at most (byte fallback). A raw
  // fragment of n bytes becomes at most 6n merged bytes: SPM writes a space
  // as the 3-byte U+2581 and may add one as a prefix (n = 1: 6 bytes); BPE
  // turns a bad byte into the 3-byte U+FFFD and each of those bytes into a
  // GPT-2 code point of up to 2 bytes. A special token is one id for >= 1 byte.
  return 6 * text_bytes + 2;  // + BOS, EOS
}

std::string Tokenizer::decode(const std::vector<int32_t> &ids, bool render_special) const {
  std::string text;
  bool strip_leading_space = vocab_.add_space_prefix;
  for (int32_t id : ids) {
    std::string_view piece = token_to_piece(id, render_special);
    if (strip_leading_space && !piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    strip_leading_space = false;
    text.append(piece.data(), piece.size());
  }
  if (vocab_.model == VocabModel::gpt2 && pre_.clean_spaces) clean_up_spaces(&text);
  return text;
}

std::string Tokenizer::summary() const {
  char line[512];
  auto id_text = [&](int32_t id) -> std::string {
    if (id < 0) return "none";
    std::string t = std::to_string(id) + " '" + vocab_.tokens[id] + "'";
    return t;
  };
  std::snprintf(line, sizeof(line), "%s, pre-tokenizer %s%s%s, %zu tokens, %zu merges, %zu special, max piece %zu bytes",
                vocab_model_name(vocab_.model),
                vocab_.model == VocabModel::gpt2 ? pre_tokenizer_kind_name(pre_.kind) : "none (spm)",
                vocab_.pre.empty() ? "" : " (tokenizer.ggml.pre=", vocab_.pre.empty() ? "" : (vocab_.pre + ")").c_str(),
                vocab_.size(), vocab_.merges.size(), special_ids_.size(), max_piece_bytes_);
  std::string s = line;
  s += "; bos " + id_text(vocab_.bos_id) + ", eos " + id_text(vocab_.eos_id) + ", eot " + id_text(vocab_.eot_id) +
       ", unk " + id_text(vocab_.unk_id) + ", pad " + id_text(vocab_.pad_id);
  s += std::string("; add_bos ") + (vocab_.add_bos ? "yes" : "no") + ", add_eos " + (vocab_.add_eos ? "yes" : "no");
  if (vocab_.model == VocabModel::llama) s += std::string(", add_space_prefix ") + (vocab_.add_space_prefix ? "yes" : "no");
  return s;
}

}  // namespace ballast
