// A small command-line option parser for the `ballast` subcommands: options
// are declared with a help line, parsed once, and unknown options, missing
// values and bad numbers become usage errors naming the option.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"

namespace ballast::cli {

class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  // Options taking a value. `short_name` may be empty. The default shown in
  // --help is the variable's value at declaration time.
  void add_string(const char *long_name, const char *short_name, std::string *out, const char *help);
  void add_int(const char *long_name, const char *short_name, int64_t *out, int64_t min, int64_t max, const char *help);
  void add_flag(const char *long_name, bool *out, const char *help);

  // Parses argv (argv[0] is the subcommand). Returns invalid_argument on a
  // usage error; sets help_requested() when --help/-h was given.
  Status parse(int argc, char **argv);
  bool help_requested() const { return help_requested_; }
  // True if the option (by long name) appeared on the command line.
  bool given(const char *long_name) const;
  std::string help() const;

 private:
  enum class Kind { string, integer, flag };
  struct Option {
    std::string long_name;
    std::string short_name;
    Kind kind;
    std::string help;
    std::string default_text;
    std::string *string_out = nullptr;
    int64_t *int_out = nullptr;
    int64_t min = 0;
    int64_t max = 0;
    bool *flag_out = nullptr;
  };
  const Option *find(const std::string &name) const;

  std::string command_;
  std::string summary_;
  std::vector<Option> options_;
  std::vector<std::string> given_;  // long names seen by parse()
  bool help_requested_ = false;
};

// Runs the common parse / --help / usage-error flow: returns -1 to continue,
// otherwise the exit code to return (0 after --help, 2 on a usage error).
int parse_or_exit_code(ArgParser &parser, int argc, char **argv);

}  // namespace ballast::cli
