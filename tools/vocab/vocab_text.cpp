// Parser for the intermediate vocabulary text format (see vocab_text.h).
#include "tools/vocab/vocab_text.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ballast {
namespace {

// Splits `text` into lines without their '\n' (a final '\n' ends the last line).
std::vector<std::string> split_lines(const std::string &text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> split_fields(const std::string &line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  std::string field;
  while (in >> field) fields.push_back(field);
  return fields;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode_hex(const std::string &hex, size_t line_number) {
  if (hex.size() % 2 != 0) return make_status(StatusCode::corrupt_file, "line %zu: odd-length hex", line_number);
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return make_status(StatusCode::corrupt_file, "line %zu: bad hex digit", line_number);
    bytes.push_back(static_cast<char>(hi * 16 + lo));
  }
  return bytes;
}

Result<int64_t> parse_int(const std::string &text, size_t line_number) {
  errno = 0;
  char *end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0) {
    return make_status(StatusCode::corrupt_file, "line %zu: '%s' is not an integer", line_number, text.c_str());
  }
  return static_cast<int64_t>(value);
}

Result<float> parse_float(const std::string &text, size_t line_number) {
  errno = 0;
  char *end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0) {
    return make_status(StatusCode::corrupt_file, "line %zu: '%s' is not a number", line_number, text.c_str());
  }
  return value;
}

// Count line "NAME N"; returns N.
Result<size_t> parse_count_line(const std::vector<std::string> &lines, size_t index, const char *name) {
  if (index >= lines.size()) return make_status(StatusCode::corrupt_file, "missing '%s N' line", name);
  const std::vector<std::string> fields = split_fields(lines[index]);
  if (fields.size() != 2 || fields[0] != name) {
    return make_status(StatusCode::corrupt_file, "line %zu: expected '%s N'", index + 1, name);
  }
  BALLAST_ASSIGN_OR_RETURN(int64_t count, parse_int(fields[1], index + 1));
  if (count < 0 || static_cast<uint64_t>(count) > lines.size() - index - 1) {
    return make_status(StatusCode::corrupt_file, "line %zu: %s count %lld exceeds the lines left", index + 1, name,
                       static_cast<long long>(count));
  }
  return static_cast<size_t>(count);
}

Status parse_header_field(const std::vector<std::string> &fields, size_t line_number, VocabText *vocab) {
  if (fields.size() != 2) return make_status(StatusCode::corrupt_file, "line %zu: expected 'key value'", line_number);
  const std::string &key = fields[0];
  const std::string &value = fields[1];
  if (key == "model") {
    vocab->model = value;
    return Status::ok();
  }
  if (key == "pre") {
    vocab->pre = value;
    return Status::ok();
  }
  BALLAST_ASSIGN_OR_RETURN(int64_t number, parse_int(value, line_number));
  int64_t *id_field = key == "bos"   ? &vocab->bos_id
                      : key == "eos" ? &vocab->eos_id
                      : key == "unk" ? &vocab->unk_id
                      : key == "pad" ? &vocab->pad_id
                                     : nullptr;
  if (id_field != nullptr) {
    if (number < -1) return make_status(StatusCode::corrupt_file, "line %zu: id %s below -1", line_number, key.c_str());
    *id_field = number;
    return Status::ok();
  }
  int *flag_field = key == "add_bos"            ? &vocab->add_bos
                    : key == "add_eos"          ? &vocab->add_eos
                    : key == "add_space_prefix" ? &vocab->add_space_prefix
                                                : nullptr;
  if (flag_field == nullptr) return make_status(StatusCode::corrupt_file, "line %zu: unknown key '%s'", line_number, key.c_str());
  if (number != 0 && number != 1) return make_status(StatusCode::corrupt_file, "line %zu: %s must be 0 or 1", line_number, key.c_str());
  *flag_field = static_cast<int>(number);
  return Status::ok();
}

Status parse_token_line(const std::string &line, size_t line_number, size_t token_index, VocabText *vocab) {
  const std::vector<std::string> fields = split_fields(line);
  // An empty token has no hex field.
  if (fields.size() != 2 && fields.size() != 3) {
    return make_status(StatusCode::corrupt_file, "line %zu: expected 'TYPE SCORE HEX'", line_number);
  }
  BALLAST_ASSIGN_OR_RETURN(int64_t type, parse_int(fields[0], line_number));
  if (type < 1 || type > 6) return make_status(StatusCode::corrupt_file, "line %zu: token type %lld not in 1..6", line_number, static_cast<long long>(type));
  const bool has_score = fields[1] != "-";
  if (token_index == 0) vocab->has_scores = has_score;
  if (has_score != vocab->has_scores) {
    return make_status(StatusCode::corrupt_file, "line %zu: scores must be given for all tokens or none", line_number);
  }
  if (has_score) {
    BALLAST_ASSIGN_OR_RETURN(float score, parse_float(fields[1], line_number));
    vocab->scores.push_back(score);
  }
  std::string bytes;
  if (fields.size() == 3) {
    BALLAST_ASSIGN_OR_RETURN(bytes, decode_hex(fields[2], line_number));
  }
  vocab->token_types.push_back(static_cast<int32_t>(type));
  vocab->tokens.push_back(std::move(bytes));
  return Status::ok();
}

Status check_ids(const VocabText &vocab) {
  const int64_t n = static_cast<int64_t>(vocab.tokens.size());
  const std::pair<const char *, int64_t> ids[] = {
      {"bos", vocab.bos_id}, {"eos", vocab.eos_id}, {"unk", vocab.unk_id}, {"pad", vocab.pad_id}};
  for (const auto &id : ids) {
    if (id.second >= n) return make_status(StatusCode::corrupt_file, "%s id %lld outside %lld tokens", id.first, static_cast<long long>(id.second), static_cast<long long>(n));
  }
  return Status::ok();
}

}  // namespace

Result<VocabText> parse_vocab_text(const std::string &text) {
  const std::vector<std::string> lines = split_lines(text);
  if (lines.empty() || lines[0] != "ballast-vocab-text 1") {
    return make_status(StatusCode::corrupt_file, "line 1: expected 'ballast-vocab-text 1'");
  }
  VocabText vocab;
  size_t index = 1;
  while (index < lines.size() && split_fields(lines[index]).size() > 0 && split_fields(lines[index])[0] != "tokens") {
    BALLAST_RETURN_IF_ERROR(parse_header_field(split_fields(lines[index]), index + 1, &vocab));
    ++index;
  }
  if (vocab.model != "gpt2" && vocab.model != "llama") {
    return make_status(StatusCode::unsupported, "model '%s' is not gpt2 or llama", vocab.model.c_str());
  }
  BALLAST_ASSIGN_OR_RETURN(size_t n_tokens, parse_count_line(lines, index, "tokens"));
  ++index;
  for (size_t i = 0; i < n_tokens; ++i, ++index) {
    BALLAST_RETURN_IF_ERROR(parse_token_line(lines[index], index + 1, i, &vocab));
  }
  BALLAST_ASSIGN_OR_RETURN(size_t n_merges, parse_count_line(lines, index, "merges"));
  ++index;
  for (size_t i = 0; i < n_merges; ++i, ++index) {
    const std::vector<std::string> fields = split_fields(lines[index]);
    if (fields.size() != 2) return make_status(StatusCode::corrupt_file, "line %zu: expected 'HEXLEFT HEXRIGHT'", index + 1);
    BALLAST_ASSIGN_OR_RETURN(std::string left, decode_hex(fields[0], index + 1));
    BALLAST_ASSIGN_OR_RETURN(std::string right, decode_hex(fields[1], index + 1));
    vocab.merges.push_back(left + " " + right);
  }
  if (index != lines.size()) return make_status(StatusCode::corrupt_file, "line %zu: unexpected text after the merges", index + 1);
  if (vocab.tokens.empty()) return make_status(StatusCode::corrupt_file, "no tokens");
  BALLAST_RETURN_IF_ERROR(check_ids(vocab));
  return vocab;
}

Result<VocabText> read_vocab_text_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_status(StatusCode::io_error, "cannot open %s", path.c_str());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return make_status(StatusCode::io_error, "cannot read %s", path.c_str());
  Result<VocabText> vocab = parse_vocab_text(content.str());
  if (!vocab.is_ok()) return make_status(vocab.status().code(), "%s: %s", path.c_str(), vocab.status().message().c_str());
  return vocab;
}

}  // namespace ballast
