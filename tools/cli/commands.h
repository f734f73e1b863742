// Entry points of the `ballast` subcommands. Each takes argv with argv[0] =
// the subcommand name and returns the process exit code (0 ok, 1 runtime
// error, 2 usage error).
#pragma once

namespace ballast::cli {

int run_version(int argc, char **argv);
int run_bench(int argc, char **argv);
int run_generate(int argc, char **argv);
int run_info(int argc, char **argv);
int run_logits(int argc, char **argv);
int run_plan(int argc, char **argv);
int run_tokenize(int argc, char **argv);
int run_perplexity(int argc, char **argv);
int run_attention(int argc, char **argv);
int run_stream(int argc, char **argv);

}  // namespace ballast::cli
