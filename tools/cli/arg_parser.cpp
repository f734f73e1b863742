#include "tools/cli/arg_parser.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace ballast::cli {

ArgParser::ArgParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void ArgParser::add_string(const char *long_name, const char *short_name, std::string *out, const char *help) {
  Option o{long_name, short_name, Kind::string, help, *out};
  o.string_out = out;
  options_.push_back(o);
}

void ArgParser::add_int(const char *long_name, const char *short_name, int64_t *out, int64_t min, int64_t max,
                        const char *help) {
  Option o{long_name, short_name, Kind::integer, help, std::to_string(*out)};
  o.int_out = out;
  o.min = min;
  o.max = max;
  options_.push_back(o);
}

void ArgParser::add_flag(const char *long_name, bool *out, const char *help) {
  Option o{long_name, "", Kind::flag, help, ""};
  o.flag_out = out;
  options_.push_back(o);
}

const ArgParser::Option *ArgParser::find(const std::string &name) const {
  for (const Option &o : options_) {
    if (name == o.long_name || (!o.short_name.empty() && name == o.short_name)) return &o;
  }
  return nullptr;
}

Status ArgParser::parse(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      return Status::ok();
    }
    std::string value;
    bool has_inline_value = false;
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    const Option *o = find(arg);
    if (o == nullptr) return make_status(StatusCode::invalid_argument, "unknown option '%s'", argv[i]);
    given_.push_back(o->long_name);
    if (o->kind == Kind::flag) {
      if (has_inline_value) return make_status(StatusCode::invalid_argument, "option '%s' takes no value", arg.c_str());
      *o->flag_out = true;
      continue;
    }
    if (!has_inline_value) {
      if (i + 1 >= argc) return make_status(StatusCode::invalid_argument, "option '%s' needs a value", arg.c_str());
      value = argv[++i];
    }
    if (o->kind == Kind::string) {
      *o->string_out = value;
      continue;
    }
    errno = 0;
    char *end = nullptr;
    const long long n = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno == ERANGE) {
      return make_status(StatusCode::invalid_argument, "option '%s' expects an integer, got '%s'", arg.c_str(), value.c_str());
    }
    if (n < o->min || n > o->max) {
      return make_status(StatusCode::invalid_argument, "option '%s' = %lld is outside [%lld, %lld]", arg.c_str(), n,
                         static_cast<long long>(o->min), static_cast<long long>(o->max));
    }
    *o->int_out = n;
  }
  return Status::ok();
}

bool ArgParser::given(const char *long_name) const {
  for (const std::string &name : given_) {
    if (name == long_name) return true;
  }
  return false;
}

std::string ArgParser::help() const {
  std::string out = "usage: ballast " + command_ + " [options]\n\n" + summary_ + "\n\noptions:\n";
  for (const Option &o : options_) {
    std::string names = o.short_name.empty() ? "    " + o.long_name : o.short_name + ", " + o.long_name;
    if (o.kind != Kind::flag) names += o.kind == Kind::integer ? " N" : " VALUE";
    char line[512];
    std::snprintf(line, sizeof line, "  %-26s %s", names.c_str(), o.help.c_str());
    out += line;
    if (!o.default_text.empty()) out += " (default: " + o.default_text + ")";
    out += "\n";
  }
  out += "  -h, --help                 show this help\n";
  return out;
}

int parse_or_exit_code(ArgParser &parser, int argc, char **argv) {
  Status s = parser.parse(argc, argv);
  if (!s.is_ok()) {
    std::fprintf(stderr, "ballast: %s\n\n%s", s.message().c_str(), parser.help().c_str());
    return 2;
  }
  if (parser.help_requested()) {
    std::fputs(parser.help().c_str(), stdout);
    return 0;
  }
  return -1;
}

}  // namespace ballast::cli
