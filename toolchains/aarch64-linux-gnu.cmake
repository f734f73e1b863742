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

# Debian 12's aarch64 gcc 12 stops with an internal compiler error
# (vect_transform_reduction) when the loop vectoriser meets some
# floating-point max-reduction loops, at -O3 and at -O2 alike
# (tests/kv_cache/attention_test.cpp, tests/engine/session_test.cpp).
# Loop vectorisation is therefore off for the whole aarch64 build; the
# straight-line (SLP) vectoriser stays on, and the hot kernels are written with
# NEON intrinsics (ballast_add_isa_sources) rather than left to the vectoriser.
# Drop this once the cross compiler is gcc 13 or newer.
string(APPEND BALLAST_CROSS_ARCH_FLAGS " -fno-tree-loop-vectorize")
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
