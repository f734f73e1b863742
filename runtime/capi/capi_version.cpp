// ballast_version(): the library's version string, checked at compile time
// against the header's macros and the build's project(VERSION).
#include "runtime/capi/ballast.h"

namespace {

constexpr bool same_text(const char *a, const char *b) {
  return *a == *b && (*a == '\0' || same_text(a + 1, b + 1));
}

// BALLAST_VERSION_STRING comes from ballast.h; the build passes
// BALLAST_PROJECT_VERSION from CMake's project(VERSION).
#ifdef BALLAST_PROJECT_VERSION
static_assert(same_text(BALLAST_VERSION_STRING, BALLAST_PROJECT_VERSION),
              "runtime/capi/ballast.h BALLAST_VERSION_* disagree with project(VERSION) in CMakeLists.txt");
#endif

}  // namespace

extern "C" BALLAST_API const char *ballast_version(void) { return BALLAST_VERSION_STRING; }
