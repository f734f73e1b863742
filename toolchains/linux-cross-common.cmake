# Shared by the Linux cross toolchain files (aarch64-linux-gnu.cmake,
# arm-linux-gnueabihf.cmake); not a toolchain file itself. The including file
# sets, before include():
#   BALLAST_CROSS_TRIPLET    GNU triplet = compiler prefix = multiarch dir
#   BALLAST_CROSS_DEBARCH    Debian architecture of the sysroot (arm64, armhf)
#   BALLAST_CROSS_PROCESSOR  CMAKE_SYSTEM_PROCESSOR
#   BALLAST_CROSS_ARCH_FLAGS baseline code-generation flags for the whole build
#   BALLAST_CROSS_QEMU       qemu-user binary; BALLAST_CROSS_QEMU_CPU its default -cpu
#
# Where things come from:
#   compiler + C library   the Debian cross toolchain (/usr/TRIPLET)
#   cpuinfo, XNNPACK, ...  BALLAST_SYSROOT, made by toolchains/make-sysroot.sh
#                          (default: build-cross-sysroot/DEBARCH in the repo)
# find_path/find_library/find_package look only in those two trees, pkg-config
# only in the sysroot (PKG_CONFIG_LIBDIR + PKG_CONFIG_SYSROOT_DIR); programs
# (pkg-config itself, bash, npm) come from the host.
#
# Tests: CMAKE_CROSSCOMPILING_EMULATOR runs target programs under qemu-user
# (doctest_discover_tests and ctest use it). qemu gets the sysroot's and the
# cross C library's directories through -E LD_LIBRARY_PATH: without them a
# glibc mismatch makes pthread_create hang (DESIGN.md §8).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${BALLAST_CROSS_PROCESSOR})
set(CMAKE_LIBRARY_ARCHITECTURE ${BALLAST_CROSS_TRIPLET})

set(CMAKE_C_COMPILER ${BALLAST_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${BALLAST_CROSS_TRIPLET}-g++)

# The sysroot: -DBALLAST_SYSROOT=..., else $ENV{BALLAST_SYSROOT}, else the default.
if(NOT BALLAST_SYSROOT)
  if(DEFINED ENV{BALLAST_SYSROOT} AND NOT "$ENV{BALLAST_SYSROOT}" STREQUAL "")
    set(BALLAST_SYSROOT "$ENV{BALLAST_SYSROOT}")
  else()
    get_filename_component(BALLAST_SYSROOT
      "${CMAKE_CURRENT_LIST_DIR}/../build-cross-sysroot/${BALLAST_CROSS_DEBARCH}" ABSOLUTE)
  endif()
endif()
set(BALLAST_SYSROOT "${BALLAST_SYSROOT}" CACHE PATH "Target dependencies (toolchains/make-sysroot.sh ${BALLAST_CROSS_DEBARCH} DIR)")
if(NOT EXISTS "${BALLAST_SYSROOT}/.ballast-sysroot-complete")
  message(FATAL_ERROR "Ballast: no ${BALLAST_CROSS_DEBARCH} sysroot at ${BALLAST_SYSROOT}. Make it with:\n"
                      "  toolchains/make-sysroot.sh ${BALLAST_CROSS_DEBARCH} ${BALLAST_SYSROOT}")
endif()
# try_compile projects re-read this file: pass the sysroot on to them.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES BALLAST_SYSROOT)

set(BALLAST_CROSS_LIBDIR "${BALLAST_SYSROOT}/usr/lib/${BALLAST_CROSS_TRIPLET}")

set(CMAKE_FIND_ROOT_PATH "${BALLAST_SYSROOT}" "/usr/${BALLAST_CROSS_TRIPLET}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the sysroot's .pc files; their /usr prefixes are re-rooted.
set(ENV{PKG_CONFIG_LIBDIR} "${BALLAST_CROSS_LIBDIR}/pkgconfig:${BALLAST_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${BALLAST_SYSROOT}")
set(ENV{PKG_CONFIG_PATH} "")

# -ffp-contract=off: g++ fuses a*b+c into one FMA instruction by default on
# ARM (never on baseline x86-64), which changes the last bits of scalar float
# code. The scalar kernels are the reference every SIMD variant is checked
# against, and generated test models must be the same bytes on every machine
# (tests/golden compares their SHA-256): without this, ballast-mkmodel's
# Box-Muller normals differ from x86's in the last bit. Explicit FMA
# intrinsics in the NEON kernels are unaffected.
set(CMAKE_C_FLAGS_INIT "${BALLAST_CROSS_ARCH_FLAGS} -ffp-contract=off")
set(CMAKE_CXX_FLAGS_INIT "${BALLAST_CROSS_ARCH_FLAGS} -ffp-contract=off")
# Shared libraries in the sysroot need each other at link time (libXNNPACK ->
# libcpuinfo, libpthreadpool).
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${BALLAST_CROSS_LIBDIR}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-Wl,-rpath-link,${BALLAST_CROSS_LIBDIR}")

set(BALLAST_QEMU_CPU "${BALLAST_CROSS_QEMU_CPU}" CACHE STRING "qemu-user -cpu for tests run through ctest")
set(CMAKE_CROSSCOMPILING_EMULATOR
  ${BALLAST_CROSS_QEMU} -cpu ${BALLAST_QEMU_CPU} -L /usr/${BALLAST_CROSS_TRIPLET}
  -E LD_LIBRARY_PATH=${BALLAST_CROSS_LIBDIR}:/usr/${BALLAST_CROSS_TRIPLET}/lib)
