# Android, arm64-v8a, API level >= 24 (Android 7.0), through the NDK's own
# toolchain file. Not verified here: no NDK is reachable from this machine
# (see the README, "Android", for what has and has not been checked).
#
#   export ANDROID_NDK=/path/to/android-ndk-r26d       (or ANDROID_NDK_HOME / ANDROID_NDK_ROOT)
#   cmake --preset android-arm64 -DBALLAST_ANDROID_PREFIX=/path/to/android-deps
#   cmake --build --preset android-arm64
#
# Settings (override with -D...):
#   ANDROID_PLATFORM   android-24 by default; lower levels are refused
#   ANDROID_STL        c++_static (the binary carries its C++ runtime)
#   BALLAST_ANDROID_PREFIX  optional: a prefix holding the target's cpuinfo
#                      (lib/pkgconfig/libcpuinfo.pc, lib/libcpuinfo.a, include/),
#                      built with this same NDK; searched by find_* and pkg-config.
# ANDROID_ABI is fixed to arm64-v8a: that is what this file is for.

if(NOT ANDROID_NDK)
  foreach(var ANDROID_NDK ANDROID_NDK_HOME ANDROID_NDK_ROOT)
    if(DEFINED ENV{${var}} AND NOT "$ENV{${var}}" STREQUAL "")
      set(ANDROID_NDK "$ENV{${var}}")
      break()
    endif()
  endforeach()
endif()
if(NOT ANDROID_NDK OR NOT EXISTS "${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
  message(FATAL_ERROR "Ballast: Android NDK not found (ANDROID_NDK='${ANDROID_NDK}'). "
                      "Set ANDROID_NDK (or -DANDROID_NDK=...) to an NDK r23 or newer, the directory "
                      "that has build/cmake/android.toolchain.cmake.")
endif()
set(ANDROID_NDK "${ANDROID_NDK}" CACHE PATH "Android NDK root")

set(ANDROID_ABI arm64-v8a)
if(NOT ANDROID_PLATFORM)
  set(ANDROID_PLATFORM android-24)
endif()
string(REGEX REPLACE "^android-" "" ballast_android_api "${ANDROID_PLATFORM}")
if(NOT ballast_android_api MATCHES "^[0-9]+$" OR ballast_android_api LESS 24)
  message(FATAL_ERROR "Ballast: ANDROID_PLATFORM=${ANDROID_PLATFORM}: API level 24 or newer is needed")
endif()
if(NOT ANDROID_STL)
  set(ANDROID_STL c++_static)
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ANDROID_NDK BALLAST_ANDROID_PREFIX)

include("${ANDROID_NDK}/build/cmake/android.toolchain.cmake")

# Target dependencies built for Android (cpuinfo): find_* and pkg-config look
# there, never in the host's /usr.
if(BALLAST_ANDROID_PREFIX)
  list(APPEND CMAKE_FIND_ROOT_PATH "${BALLAST_ANDROID_PREFIX}")
  set(ENV{PKG_CONFIG_LIBDIR} "${BALLAST_ANDROID_PREFIX}/lib/pkgconfig:${BALLAST_ANDROID_PREFIX}/share/pkgconfig")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
else()
  set(ENV{PKG_CONFIG_LIBDIR} "/nonexistent-ballast-android-pkgconfig")
endif()
set(ENV{PKG_CONFIG_PATH} "")
