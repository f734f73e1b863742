// `ballast`: the command-line front end. Each subcommand lives in its own
// file (command_*.cpp) and is listed here.
#include <cstdio>
#include <cstring>

#include "tools/cli/commands.h"

namespace {

struct Command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
};

const Command kCommands[] = {
    {"attention", "share of attention on sinks / middle / recent tokens per layer and head", ballast::cli::run_attention},
    {"bench", "prefill/decode speed at 1..N threads, weight bandwidth vs a probe, per-op times", ballast::cli::run_bench},
    {"generate", "generate text through the sink + window cache (-n -1: forever)", ballast::cli::run_generate},
    {"info", "describe a GGUF model, the CPU and the memory plan", ballast::cli::run_info},
    {"logits", "dump float32 logits of every position of a token sequence", ballast::cli::run_logits},
    {"perplexity", "streaming perplexity of a text, token by token through the cache", ballast::cli::run_perplexity},
    {"plan", "print the memory plan for a model and cache shape (allocates nothing)", ballast::cli::run_plan},
    {"stream", "summarise a live transcript continuously in fixed memory (the main job)", ballast::cli::run_stream},
    {"tokenize", "print the token ids of a text", ballast::cli::run_tokenize},
    {"version", "print the version", ballast::cli::run_version},
};

void print_usage(FILE *out) {
  std::fprintf(out,
               "usage: ballast <command> [options]\n"
               "\n"
               "Ballast runs small language models endlessly in RAM fixed at startup\n"
               "(StreamingLLM attention sinks + a rolling KV window).\n"
               "\n"
               "commands:\n");
  for (const Command &c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'ballast <command> --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) return ballast::cli::run_version(argc - 1, argv + 1);
  for (const Command &c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "ballast: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return 2;
}
