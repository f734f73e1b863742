# Third-party dependencies, all from Debian packages (tools/install-deps.sh).
#
#   cpuinfo   required  pkg-config libcpuinfo (bookworm's CMake config is broken)
#   doctest   required  find_package(doctest), only when tests are built
#   XNNPACK   optional  headers + libs, no CMake/pkg-config files: imported target
#   pthreadpool optional  headers + lib: the session thread pool; XNNPACK needs it too
#   oneDNN    optional  find_package(dnnl)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

pkg_check_modules(BALLAST_CPUINFO REQUIRED IMPORTED_TARGET libcpuinfo)
add_library(ballast::cpuinfo ALIAS PkgConfig::BALLAST_CPUINFO)

# pthreadpool: the session thread pool (runtime/threading/) and XNNPACK's.
set(BALLAST_HAVE_PTHREADPOOL OFF)
if(BALLAST_WITH_PTHREADPOOL)
  find_path(BALLAST_PTHREADPOOL_INCLUDE_DIR pthreadpool.h)
  find_library(BALLAST_PTHREADPOOL_LIBRARY NAMES pthreadpool)
  if(BALLAST_PTHREADPOOL_INCLUDE_DIR AND BALLAST_PTHREADPOOL_LIBRARY)
    add_library(ballast::pthreadpool UNKNOWN IMPORTED)
    set_target_properties(ballast::pthreadpool PROPERTIES
      IMPORTED_LOCATION "${BALLAST_PTHREADPOOL_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${BALLAST_PTHREADPOOL_INCLUDE_DIR}")
    set(BALLAST_HAVE_PTHREADPOOL ON)
    message(STATUS "Ballast: pthreadpool found (${BALLAST_PTHREADPOOL_LIBRARY}): session thread pool")
  else()
    message(STATUS "Ballast: pthreadpool not found: built-in thread pool (install libpthreadpool-dev)")
  endif()
else()
  message(STATUS "Ballast: pthreadpool disabled by BALLAST_WITH_PTHREADPOOL=OFF: built-in thread pool")
endif()

set(BALLAST_HAVE_XNNPACK OFF)
if(BALLAST_WITH_XNNPACK)
  find_path(BALLAST_XNNPACK_INCLUDE_DIR xnnpack.h)
  find_library(BALLAST_XNNPACK_LIBRARY NAMES XNNPACK xnnpack)
  if(BALLAST_XNNPACK_INCLUDE_DIR AND BALLAST_XNNPACK_LIBRARY AND BALLAST_HAVE_PTHREADPOOL)
    add_library(ballast::xnnpack UNKNOWN IMPORTED)
    set_target_properties(ballast::xnnpack PROPERTIES
      IMPORTED_LOCATION "${BALLAST_XNNPACK_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${BALLAST_XNNPACK_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES ballast::pthreadpool)
    set(BALLAST_HAVE_XNNPACK ON)
    message(STATUS "Ballast: XNNPACK found (${BALLAST_XNNPACK_LIBRARY}): prefill backend enabled")
  else()
    message(STATUS "Ballast: XNNPACK/pthreadpool not found: native kernels only (install libxnnpack-dev libpthreadpool-dev)")
  endif()
else()
  message(STATUS "Ballast: XNNPACK disabled by BALLAST_WITH_XNNPACK=OFF")
endif()

set(BALLAST_HAVE_ONEDNN OFF)
if(BALLAST_WITH_ONEDNN)
  find_package(dnnl QUIET CONFIG)
  if(dnnl_FOUND)
    set(BALLAST_HAVE_ONEDNN ON)
    message(STATUS "Ballast: oneDNN ${dnnl_VERSION} found: prefill backend enabled")
  else()
    message(STATUS "Ballast: oneDNN not found: native kernels only (install libdnnl-dev)")
  endif()
else()
  message(STATUS "Ballast: oneDNN disabled by BALLAST_WITH_ONEDNN=OFF")
endif()

if(BALLAST_BUILD_TESTS)
  find_package(doctest REQUIRED)
endif()
