# Raspberry Pi 2/3/4 with the 32-bit Raspberry Pi OS (armv7-a + NEON, hard
# float). Debian's g++-arm-linux-gnueabihf; target libraries from Debian armhf
# packages in a build-local sysroot:
#   toolchains/make-sysroot.sh armhf          (-> build-cross-sysroot/armhf)
#   cmake -S . -B build-cross-armhf -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake
# or: cmake --preset rpi-armhf (CMakePresets.json).
#
# Not for the Pi 1 / Zero (armv6): Debian's armhf baseline is armv7.
# armhf Debian packages give cpuinfo, pthreadpool and XNNPACK; there is no
# armhf oneDNN, so that backend is simply not found (native kernels only).
set(BALLAST_CROSS_TRIPLET arm-linux-gnueabihf)
set(BALLAST_CROSS_DEBARCH armhf)
set(BALLAST_CROSS_PROCESSOR armv7l)
# -Wno-psabi: gcc notes that the ABI for passing some std::vector iterators
# changed in GCC 7.1; irrelevant when everything is built by one compiler.
set(BALLAST_CROSS_ARCH_FLAGS "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -Wno-psabi")
set(BALLAST_CROSS_QEMU qemu-arm)
set(BALLAST_CROSS_QEMU_CPU cortex-a7)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
