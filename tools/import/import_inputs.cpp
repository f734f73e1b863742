#include "tools/import/import_inputs.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace ballast {
namespace {

std::vector<std::string> split(const std::string &line, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t pos = line.find(sep, start);
    out.push_back(line.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

bool parse_u64(const std::string &s, uint64_t *out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  errno = 0;
  char *end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

bool parse_float(const std::string &s, float *out) {
  if (s.empty()) return false;
  errno = 0;
  char *end = nullptr;
  const float v = std::strtof(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<ImportManifest> parse_import_manifest(const std::string &text) {
  ImportManifest manifest;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = split(line, '\t');
    if (f[0] == "hparam" && f.size() == 3) {
      if (!manifest.hparams.emplace(f[1], f[2]).second) {
        return make_status(StatusCode::corrupt_file, "manifest line %d: duplicate hparam %s", line_no, f[1].c_str());
      }
    } else if (f[0] == "tensor" && f.size() == 6) {
      ManifestTensor t;
      t.name = f[1];
      if (f[2] == "f16") {
        t.dtype = RawDtype::f16;
      } else if (f[2] == "f32") {
        t.dtype = RawDtype::f32;
      } else {
        return make_status(StatusCode::corrupt_file, "manifest line %d: dtype %s (want f16 or f32)", line_no, f[2].c_str());
      }
      uint64_t elements = 1;
      for (const std::string &dim : split(f[3], ',')) {
        uint64_t d = 0;
        if (!parse_u64(dim, &d) || d == 0 || d > (uint64_t{1} << 32)) {
          return make_status(StatusCode::corrupt_file, "manifest line %d: bad shape '%s'", line_no, f[3].c_str());
        }
        t.rows_first_shape.push_back(d);
        elements *= d;
      }
      if (t.rows_first_shape.size() > 2) {
        return make_status(StatusCode::unsupported, "manifest line %d: %zu dims (at most 2)", line_no,
                           t.rows_first_shape.size());
      }
      if (!parse_u64(f[4], &t.offset) || !parse_u64(f[5], &t.bytes)) {
        return make_status(StatusCode::corrupt_file, "manifest line %d: bad offset/bytes", line_no);
      }
      const uint64_t elem_bytes = t.dtype == RawDtype::f16 ? 2 : 4;
      if (t.bytes != elements * elem_bytes) {
        return make_status(StatusCode::corrupt_file, "manifest line %d: %s has %llu bytes, shape needs %llu", line_no,
                           t.name.c_str(), static_cast<unsigned long long>(t.bytes),
                           static_cast<unsigned long long>(elements * elem_bytes));
      }
      manifest.tensors.push_back(std::move(t));
    } else {
      return make_status(StatusCode::corrupt_file, "manifest line %d: expected 'hparam K V' or 'tensor' with 6 fields",
                         line_no);
    }
  }
  if (manifest.tensors.empty()) return make_status(StatusCode::corrupt_file, "manifest lists no tensors");
  return manifest;
}

Result<SpmVocab> parse_spm_vocab(const std::string &text) {
  SpmVocab vocab;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const std::vector<std::string> f = split(line, '\t');
    uint64_t id = 0;
    uint64_t type = 0;
    float score = 0.0f;
    if (f.size() != 4 || !parse_u64(f[0], &id) || !parse_u64(f[1], &type) || !parse_float(f[2], &score)) {
      return make_status(StatusCode::corrupt_file, "vocab line %d: expected ID TYPE SCORE HEX", line_no);
    }
    if (id != vocab.pieces.size()) {
      return make_status(StatusCode::corrupt_file, "vocab line %d: id %llu out of order", line_no,
                         static_cast<unsigned long long>(id));
    }
    if (type < 1 || type > 6) return make_status(StatusCode::corrupt_file, "vocab line %d: token type %llu", line_no,
                                                 static_cast<unsigned long long>(type));
    const std::string &hex = f[3];
    if (hex.empty() || hex.size() % 2 != 0) {
      return make_status(StatusCode::corrupt_file, "vocab line %d: piece hex has odd or zero length", line_no);
    }
    std::string piece;
    for (size_t i = 0; i < hex.size(); i += 2) {
      const int hi = hex_digit(hex[i]);
      const int lo = hex_digit(hex[i + 1]);
      if (hi < 0 || lo < 0) return make_status(StatusCode::corrupt_file, "vocab line %d: bad hex digit", line_no);
      piece.push_back(static_cast<char>(hi * 16 + lo));
    }
    vocab.pieces.push_back(std::move(piece));
    vocab.scores.push_back(score);
    vocab.types.push_back(static_cast<int32_t>(type));
  }
  if (vocab.pieces.size() < 3) return make_status(StatusCode::corrupt_file, "vocab has fewer than 3 tokens");
  return vocab;
}

Result<uint32_t> manifest_u32(const ImportManifest &manifest, const std::string &key) {
  const auto it = manifest.hparams.find(key);
  uint64_t v = 0;
  if (it == manifest.hparams.end() || !parse_u64(it->second, &v) || v > 0xFFFFFFFFull) {
    return make_status(StatusCode::invalid_argument, "manifest hparam %s missing or not a u32", key.c_str());
  }
  return static_cast<uint32_t>(v);
}

Result<float> manifest_f32(const ImportManifest &manifest, const std::string &key) {
  const auto it = manifest.hparams.find(key);
  float v = 0.0f;
  if (it == manifest.hparams.end() || !parse_float(it->second, &v)) {
    return make_status(StatusCode::invalid_argument, "manifest hparam %s missing or not a number", key.c_str());
  }
  return v;
}

Result<std::string> read_whole_file(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) return make_status(StatusCode::io_error, "cannot open %s", path.c_str());
  std::string data;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return make_status(StatusCode::io_error, "read error on %s", path.c_str());
  return data;
}

}  // namespace ballast
