#!/usr/bin/env bash
# Cross-compiles the platform layer + cpu_features_probe.cpp for aarch64 and
# armv7 and runs it under qemu-user with emulated CPUs whose features we know
# (DESIGN.md §8): cortex-a53/a72 = NEON only, cortex-a76 = + fp16 + dotprod,
# max = + i8mm bf16 SVE SVE2. Checks the detected ISA line and best level.
#
# Needs: g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user, and the
# arm64/armhf libcpuinfo packages unpacked into sysroots (not installed, since
# foreign -dev packages conflict with the native ones). The script fetches them
# with apt-get download into WORK (default /tmp/ballast-arm-probe) using a
# private apt state, so the system's apt configuration is not touched.
#
# Usage: tests/platform/run_arm_qemu_probe.sh [WORK]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-/tmp/ballast-arm-probe}"
mkdir -p "$work"

fetch_cpuinfo() {  # $1 = debian arch
  local arch="$1" dir="$work/$1"
  [[ -f "$dir/sysroot/usr/include/cpuinfo.h" ]] && return 0
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  local opts=(-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
              -o "APT::Architectures::=$arch" -o "APT::Architecture=$arch")
  apt-get "${opts[@]}" update > "$dir/apt.log" 2>&1 || true  # a failing foreign list is tolerated
  (cd "$dir" && apt-get "${opts[@]}" download libcpuinfo0 libcpuinfo-dev >> "$dir/apt.log" 2>&1)
  for deb in "$dir"/*.deb; do dpkg-deb -x "$deb" "$dir/sysroot"; done
}

build_probe() {  # $1 = debian arch, $2 = compiler, $3 = multiarch triplet
  local arch="$1" cxx="$2" triplet="$3" dir="$work/$1"
  local sources=("$repo"/platform/*.cpp "$repo/tests/platform/cpu_features_probe.cpp")
  "$cxx" -std=c++17 -O2 -Wall -Wextra -Werror -I"$repo" -I"$dir/sysroot/usr/include" "${sources[@]}" \
    -L"$dir/sysroot/usr/lib/$triplet" -Wl,-rpath-link,"$dir/sysroot/usr/lib/$triplet" -lcpuinfo -lpthread \
    -o "$dir/probe"
}

failures=0
check() {  # $1 = qemu binary, $2 = libdir, $3 = cpu, $4 = expected isa line, $5 = expected best level, $6 = probe
  local output
  # $1 is split on purpose: "qemu-xxx -L sysroot".
  output="$(env LD_LIBRARY_PATH="$2" $1 -cpu "$3" "$6")"
  local isa best
  isa="$(sed -n 's/^isa: //p' <<< "$output")"
  best="$(sed -n 's/^best: //p' <<< "$output")"
  if [[ "$isa" == "$4" && "$best" == "$5" ]]; then
    echo "ok   $3: $isa; best $best"
  else
    echo "FAIL $3: got '$isa' best '$best'; expected '$4' best '$5'"
    failures=$((failures + 1))
  fi
}

fetch_cpuinfo arm64
build_probe arm64 aarch64-linux-gnu-g++ aarch64-linux-gnu
a64_libs="$work/arm64/sysroot/usr/lib/aarch64-linux-gnu:/usr/aarch64-linux-gnu/lib"
check "qemu-aarch64 -L /usr/aarch64-linux-gnu" "$a64_libs" cortex-a53 "aarch64: neon (no i8mm)" neon "$work/arm64/probe"
check "qemu-aarch64 -L /usr/aarch64-linux-gnu" "$a64_libs" cortex-a72 "aarch64: neon (no i8mm)" neon "$work/arm64/probe"
check "qemu-aarch64 -L /usr/aarch64-linux-gnu" "$a64_libs" cortex-a76 "aarch64: neon fp16 dotprod (no i8mm)" dotprod \
  "$work/arm64/probe"
check "qemu-aarch64 -L /usr/aarch64-linux-gnu" "$a64_libs" max "aarch64: neon fp16 dotprod i8mm bf16 sve sve2" i8mm \
  "$work/arm64/probe"

fetch_cpuinfo armhf
build_probe armhf arm-linux-gnueabihf-g++ arm-linux-gnueabihf
hf_libs="$work/armhf/sysroot/usr/lib/arm-linux-gnueabihf:/usr/arm-linux-gnueabihf/lib"
check "qemu-arm -L /usr/arm-linux-gnueabihf" "$hf_libs" cortex-a7 "arm: neon (no i8mm)" neon "$work/armhf/probe"
check "qemu-arm -L /usr/arm-linux-gnueabihf" "$hf_libs" cortex-a15 "arm: neon (no i8mm)" neon "$work/armhf/probe"

echo "$failures failure(s)"
[[ "$failures" -eq 0 ]]
