// `ballast tokenize -m MODEL --text T | --file F`: prints the token ids on one
// line, space-separated, so anyone can check our tokenizer against another
// implementation (llama.cpp's `llama-tokenize` uses the same conventions:
// special tokens added per the model's flags and parsed in the text).
#include <cstdio>
#include <string>
#include <vector>

#include "models/model_file.h"
#include "models/tokenizer/tokenizer.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/commands.h"

namespace ballast::cli {
namespace {

Result<std::string> read_whole_file(const std::string &path) {
  FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) return make_status(StatusCode::io_error, "cannot open '%s'", path.c_str());
  std::string text;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) return make_status(StatusCode::io_error, "error reading '%s'", path.c_str());
  return text;
}

}  // namespace

int run_tokenize(int argc, char **argv) {
  std::string model_path, text, file_path;
  bool no_special = false, no_parse_special = false, show_pieces = false;
  ArgParser parser("tokenize", "Print the token ids of a text on one line, space-separated.");
  parser.add_string("--model", "-m", &model_path, "GGUF model or vocabulary file (required)");
  parser.add_string("--text", "", &text, "text to tokenize");
  parser.add_string("--file", "-f", &file_path, "read the text from a file ('-' = stdin) instead");
  parser.add_flag("--no-special", &no_special, "do not add BOS/EOS even if the model asks for them");
  parser.add_flag("--no-parse-special", &no_parse_special, "treat special-token text like '<s>' as plain text");
  parser.add_flag("--pieces", &show_pieces, "also print each id's piece, one per line, on stderr");
  if (int code = parse_or_exit_code(parser, argc, argv); code >= 0) return code;
  if (model_path.empty() || parser.given("--text") == parser.given("--file")) {
    std::fprintf(stderr, "ballast tokenize: --model and one of --text/--file are required\n\n%s", parser.help().c_str());
    return 2;
  }
  if (!file_path.empty()) {
    Result<std::string> content = read_whole_file(file_path);
    if (!content.is_ok()) {
      std::fprintf(stderr, "ballast tokenize: %s\n", content.status().message().c_str());
      return 1;
    }
    text = std::move(content).value();
  }
  Result<std::unique_ptr<ModelFile>> file = ModelFile::open(model_path);
  if (!file.is_ok()) {
    std::fprintf(stderr, "ballast tokenize: %s\n", file.status().to_string().c_str());
    return 1;
  }
  Result<Vocab> vocab = load_vocab(file.value()->gguf());
  if (!vocab.is_ok()) {
    std::fprintf(stderr, "ballast tokenize: %s: %s\n", model_path.c_str(), vocab.status().to_string().c_str());
    return 1;
  }
  Result<Tokenizer> tokenizer = Tokenizer::create(std::move(vocab).value());
  if (!tokenizer.is_ok()) {
    std::fprintf(stderr, "ballast tokenize: %s\n", tokenizer.status().to_string().c_str());
    return 1;
  }
  std::vector<int32_t> ids;
  Status s = tokenizer->encode(text, !no_special, !no_parse_special, &ids);
  if (!s.is_ok()) {
    std::fprintf(stderr, "ballast tokenize: %s\n", s.to_string().c_str());
    return 1;
  }
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) line += ' ';
    line += std::to_string(ids[i]);
  }
  std::printf("%s\n", line.c_str());
  if (show_pieces) {
    for (int32_t id : ids) {
      const std::string piece(tokenizer->token_to_piece(id));
      std::fprintf(stderr, "%d\t'%s'\n", id, piece.c_str());
    }
  }
  return 0;
}

}  // namespace ballast::cli
