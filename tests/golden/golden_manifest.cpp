#include "tests/golden/golden_manifest.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ballast {
namespace golden {

const GoldenModel *GoldenManifest::find(const std::string &name) const {
  for (const GoldenModel &m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Result<std::vector<int32_t>> parse_id_list(const std::string &text) {
  std::vector<int32_t> ids;
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(at, comma - at);
    errno = 0;
    char *end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || errno == ERANGE || v < 0 || v > INT32_MAX) {
      return make_status(StatusCode::corrupt_file, "'%s' is not a token id", item.c_str());
    }
    ids.push_back(static_cast<int32_t>(v));
    at = comma + 1;
  }
  return ids;
}

Result<GoldenManifest> read_golden_manifest(const std::string &path) {
  std::ifstream in(path);
  if (!in) return make_status(StatusCode::io_error, "cannot open '%s'", path.c_str());
  GoldenManifest manifest;
  GoldenModel current;
  bool in_block = false;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    auto bad = [&](const char *why) {
      return make_status(StatusCode::corrupt_file, "%s:%d: %s", path.c_str(), line_number, why);
    };
    if (key == "llamacpp") {
      manifest.llamacpp = value;
    } else if (key == "n_vocab") {
      manifest.n_vocab = static_cast<uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
    } else if (key == "model") {
      if (in_block) return bad("model inside a block");
      current = GoldenModel();
      current.name = value;
      in_block = true;
    } else if (!in_block) {
      return bad("key outside a model block");
    } else if (key == "mkmodel") {
      current.mkmodel_options = value;
    } else if (key == "stock") {
      std::istringstream words(value);
      words >> current.stock_source >> current.stock_type;
    } else if (key == "sha256") {
      current.sha256 = value;
    } else if (key == "tokens" || key == "greedy") {
      Result<std::vector<int32_t>> ids = parse_id_list(value);
      if (!ids.is_ok()) return bad(ids.status().message().c_str());
      (key == "tokens" ? current.tokens : current.greedy) = std::move(ids).value();
    } else if (key == "margins") {
      std::istringstream items(value);
      std::string item;
      while (std::getline(items, item, ',')) {
        char *end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !(v >= 0.0)) return bad("bad margin");
        current.margins.push_back(v);
      }
    } else if (key == "logits") {
      current.logits_file = value;
    } else if (key == "end") {
      if (current.sha256.size() != 64 || current.tokens.empty() || current.greedy.empty() ||
          current.margins.size() != current.greedy.size() ||
          current.logits_file.empty() || current.mkmodel_options.empty() == current.stock_source.empty()) {
        return bad("incomplete model block");
      }
      manifest.models.push_back(current);
      in_block = false;
    } else {
      return bad("unknown key");
    }
  }
  if (in_block) return make_status(StatusCode::corrupt_file, "%s: last block has no 'end'", path.c_str());
  if (manifest.n_vocab == 0 || manifest.models.empty()) {
    return make_status(StatusCode::corrupt_file, "%s: no n_vocab or no models", path.c_str());
  }
  return manifest;
}

}  // namespace golden
}  // namespace ballast
