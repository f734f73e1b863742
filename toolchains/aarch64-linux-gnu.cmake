# Raspberry Pi 3/4/5 with a 64-bit OS (Cortex-A53/A72/A76), or any aarch64
# Linux with glibc. Debian's g++-aarch64-linux-gnu; target libraries from
# Debian arm64 packages in a build-local sysroot:
#   toolchains/make-sysroot.sh arm64          (-> build-cross-sysroot/arm64)
#   cmake -S . -B build-cross-aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake
# or: cmake --preset rpi-aarch64 (CMakePresets.json).
#
# Baseline armv8-a (NEON is part of it): runs on every Pi with a 64-bit OS.
# Kernels for dotprod/fp16 (Pi 5) and i8mm get their own flags per file
# (ballast_add_isa_sources, cmake/) and are picked at run time.
# arm64 Debian packages give cpuinfo, pthreadpool, XNNPACK and oneDNN.
set(BALLAST_CROSS_TRIPLET aarch64-linux-gnu)
set(BALLAST_CROSS_DEBARCH arm64)
set(BALLAST_CROSS_PROCESSOR aarch64)
set(BALLAST_CROSS_ARCH_FLAGS "-march=armv8-a")
set(BALLAST_CROSS_QEMU qemu-aarch64)
set(BALLAST_CROSS_QEMU_CPU cortex-a53)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)

# Debian 12's aarch64 gcc 12 stops with an internal compiler error
# (vect_transform_reduction) when the -O3 loop vectoriser meets some
# floating-point max-reduction loops (tests/kv_cache/attention_test.cpp is
# one); -O2 compiles them. Release therefore means -O2 with this toolchain
# (the hot kernels are hand-vectorised with intrinsics, not auto-vectorised).
# A cache entry set here wins over CMake's -O3 default; -D... overrides it.
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "Release flags (-O2: gcc 12 aarch64 ICE at -O3)")
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "Release flags (-O2: gcc 12 aarch64 ICE at -O3)")
