// ballast-import: models/train's exported weights -> llama GGUF.
//
// usage: ballast-import PREFIX VOCAB.tsv OUT.gguf [--type f16|q8_0] [--name NAME]
//   PREFIX     reads PREFIX.model.tsv and PREFIX.weights.bin (train.py's export)
//   VOCAB.tsv  the tokenizer (encode_tokens.py)
//   --type     2-D weights as F16 (default) or Q8_0; norms are always F32
//   --name     general.name (default ballast-default)
#include <cstdio>
#include <string>

#include "tools/import/import_gguf.h"
#include "tools/import/import_inputs.h"

namespace ballast {
namespace {

struct CliOptions {
  std::string prefix, vocab_path, out_path;
  ImportOptions import;
};

Result<CliOptions> parse_args(int argc, char **argv) {
  CliOptions o;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--type" && i + 1 < argc) {
      const std::string t = argv[++i];
      if (t == "f16") {
        o.import.weight_type = ImportWeightType::f16;
      } else if (t == "q8_0") {
        o.import.weight_type = ImportWeightType::q8_0;
      } else {
        return make_status(StatusCode::invalid_argument, "--type takes f16 or q8_0, not %s", t.c_str());
      }
    } else if (arg == "--name" && i + 1 < argc) {
      o.import.name = argv[++i];
    } else if (arg.compare(0, 2, "--") == 0) {
      return make_status(StatusCode::invalid_argument, "unknown option or missing value: %s", arg.c_str());
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 3) {
    return make_status(StatusCode::invalid_argument,
                       "usage: ballast-import PREFIX VOCAB.tsv OUT.gguf [--type f16|q8_0] [--name NAME]");
  }
  o.prefix = positional[0];
  o.vocab_path = positional[1];
  o.out_path = positional[2];
  return o;
}

Status run(int argc, char **argv) {
  BALLAST_ASSIGN_OR_RETURN(const CliOptions o, parse_args(argc, argv));
  BALLAST_ASSIGN_OR_RETURN(const std::string manifest_text, read_whole_file(o.prefix + ".model.tsv"));
  BALLAST_ASSIGN_OR_RETURN(const std::string weights, read_whole_file(o.prefix + ".weights.bin"));
  BALLAST_ASSIGN_OR_RETURN(const std::string vocab_text, read_whole_file(o.vocab_path));
  BALLAST_ASSIGN_OR_RETURN(const ImportManifest manifest, parse_import_manifest(manifest_text));
  BALLAST_ASSIGN_OR_RETURN(const SpmVocab vocab, parse_spm_vocab(vocab_text));
  BALLAST_ASSIGN_OR_RETURN(const GgufWriter writer, build_llama_gguf(manifest, weights, vocab, o.import));
  BALLAST_RETURN_IF_ERROR(writer.write_file(o.out_path));
  std::printf("wrote %s: %zu keys, %zu tensors\n", o.out_path.c_str(), writer.key_count(), writer.tensor_count());
  return Status::ok();
}

}  // namespace
}  // namespace ballast

int main(int argc, char **argv) {
  const ballast::Status status = ballast::run(argc, argv);
  if (!status.is_ok()) {
    std::fprintf(stderr, "ballast-import: %s\n", status.to_string().c_str());
    return 1;
  }
  return 0;
}
