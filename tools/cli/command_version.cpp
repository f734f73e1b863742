#include <cstdio>

#include "tools/cli/commands.h"

namespace ballast::cli {

int run_version(int, char **) {
  std::printf("ballast %s\n", BALLAST_VERSION_STRING);
  return 0;
}

}  // namespace ballast::cli
