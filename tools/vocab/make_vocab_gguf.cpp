// ballast-mkvocab: turns an intermediate vocabulary text file (vocab_text.h,
// written by extract_vocabs.mjs) into a vocab-only GGUF that llama.cpp loads
// with vocab_only = true and Ballast's reader/tokenizer load too.
//
// usage: ballast-mkvocab IN.vocab.txt OUT.gguf [--pre NAME] [--add-bos 0|1] [--name NAME]
//   --pre      overrides tokenizer.ggml.pre (one vocabulary, several pre-tokenizers)
//   --add-bos  overrides tokenizer.ggml.add_bos_token
//   --name     general.name (default: the output file's stem)
//
// The file has no tensors. It declares architecture "llama" with tiny
// hyperparameters only because llama.cpp reads an architecture's required
// hyperparameters even for a vocab-only load.
#include <cstdio>
#include <cstring>
#include <string>

#include "models/gguf/gguf_writer.h"
#include "platform/status.h"
#include "tools/vocab/vocab_text.h"

namespace ballast {
namespace {

struct MkVocabOptions {
  std::string in_path;
  std::string out_path;
  std::string pre;   // empty: keep the file's
  int add_bos = -1;  // -1: keep the file's
  std::string name;  // empty: from out_path
};

Result<MkVocabOptions> parse_args(int argc, char **argv) {
  MkVocabOptions opts;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--pre" && has_value) {
      opts.pre = argv[++i];
    } else if (arg == "--name" && has_value) {
      opts.name = argv[++i];
    } else if (arg == "--add-bos" && has_value) {
      const std::string value = argv[++i];
      if (value != "0" && value != "1") return make_status(StatusCode::invalid_argument, "--add-bos takes 0 or 1");
      opts.add_bos = value == "1" ? 1 : 0;
    } else if (arg.compare(0, 2, "--") == 0) {
      return make_status(StatusCode::invalid_argument, "unknown option or missing value: %s", arg.c_str());
    } else if (opts.in_path.empty()) {
      opts.in_path = arg;
    } else if (opts.out_path.empty()) {
      opts.out_path = arg;
    } else {
      return make_status(StatusCode::invalid_argument, "unexpected argument %s", arg.c_str());
    }
  }
  if (opts.in_path.empty() || opts.out_path.empty()) {
    return make_status(StatusCode::invalid_argument, "need IN.vocab.txt and OUT.gguf");
  }
  if (opts.name.empty()) {
    const size_t slash = opts.out_path.rfind('/');
    std::string stem = slash == std::string::npos ? opts.out_path : opts.out_path.substr(slash + 1);
    const size_t dot = stem.rfind('.');
    if (dot != std::string::npos && dot > 0) stem.resize(dot);
    opts.name = "ballast vocab " + stem;
  }
  return opts;
}

// Minimal "llama" hyperparameters: llama.cpp checks these exist on load.
void add_placeholder_hparams(GgufWriter *writer, size_t n_tokens) {
  writer->set_string("general.architecture", "llama");
  writer->set_u32("llama.context_length", 4096);
  writer->set_u32("llama.embedding_length", 64);
  writer->set_u32("llama.block_count", 1);
  writer->set_u32("llama.feed_forward_length", 128);
  writer->set_u32("llama.attention.head_count", 4);
  writer->set_u32("llama.attention.head_count_kv", 4);
  writer->set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  writer->set_u32("llama.rope.dimension_count", 16);
  writer->set_u32("llama.vocab_size", static_cast<uint32_t>(n_tokens));
}

void add_tokenizer(GgufWriter *writer, const VocabText &vocab) {
  writer->set_string("tokenizer.ggml.model", vocab.model);
  writer->set_string("tokenizer.ggml.pre", vocab.pre);
  writer->set_string_array("tokenizer.ggml.tokens", vocab.tokens);
  if (vocab.has_scores) writer->set_f32_array("tokenizer.ggml.scores", vocab.scores);
  writer->set_i32_array("tokenizer.ggml.token_type", vocab.token_types);
  if (!vocab.merges.empty()) writer->set_string_array("tokenizer.ggml.merges", vocab.merges);
  if (vocab.bos_id >= 0) writer->set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(vocab.bos_id));
  if (vocab.eos_id >= 0) writer->set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(vocab.eos_id));
  if (vocab.unk_id >= 0) writer->set_u32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(vocab.unk_id));
  if (vocab.pad_id >= 0) writer->set_u32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(vocab.pad_id));
  if (vocab.add_bos >= 0) writer->set_bool("tokenizer.ggml.add_bos_token", vocab.add_bos == 1);
  if (vocab.add_eos >= 0) writer->set_bool("tokenizer.ggml.add_eos_token", vocab.add_eos == 1);
  if (vocab.add_space_prefix >= 0) writer->set_bool("tokenizer.ggml.add_space_prefix", vocab.add_space_prefix == 1);
}

Status run(int argc, char **argv) {
  BALLAST_ASSIGN_OR_RETURN(MkVocabOptions opts, parse_args(argc, argv));
  BALLAST_ASSIGN_OR_RETURN(VocabText vocab, read_vocab_text_file(opts.in_path));
  if (!opts.pre.empty()) vocab.pre = opts.pre;
  if (opts.add_bos >= 0) vocab.add_bos = opts.add_bos;

  GgufWriter writer;
  add_placeholder_hparams(&writer, vocab.tokens.size());
  writer.set_string("general.name", opts.name);
  add_tokenizer(&writer, vocab);
  BALLAST_RETURN_IF_ERROR(writer.write_file(opts.out_path));
  std::printf("%s: %s/%s, %zu tokens, %zu merges%s\n", opts.out_path.c_str(), vocab.model.c_str(), vocab.pre.c_str(),
              vocab.tokens.size(), vocab.merges.size(), vocab.has_scores ? ", scores" : "");
  return Status::ok();
}

}  // namespace
}  // namespace ballast

int main(int argc, char **argv) {
  const ballast::Status status = ballast::run(argc, argv);
  if (!status.is_ok()) {
    std::fprintf(stderr, "ballast-mkvocab: %s\n", status.to_string().c_str());
    std::fprintf(stderr, "usage: ballast-mkvocab IN.vocab.txt OUT.gguf [--pre NAME] [--add-bos 0|1] [--name NAME]\n");
    return 1;
  }
  return 0;
}
