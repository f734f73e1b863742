#!/usr/bin/env bash
# The README's test command: installs dependencies (Debian packages; npm
# packages are fetched by the test fixtures that need them), then builds and
# runs every test suite:
#   1. release build, all unit / golden / tool tests (CTest)
#   2. the same suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the GGUF reader fuzzer (clang libFuzzer), ${BALLAST_FUZZ_SECONDS:-60} s
#   4. the unit, kernel and golden suites cross-built for aarch64 and armhf
#      and run under qemu-user on each emulated CPU (tools/run-cross-tests.sh:
#      cortex-a53, cortex-a76, max; cortex-a7), at most
#      ${BALLAST_CROSS_SECONDS:-2700} s. BALLAST_CROSS=0 skips it (e.g. on a
#      machine without the cross packages).
# Build trees go to build/ci-* (override with BALLAST_BUILD_ROOT).
set -euo pipefail
cd "$(dirname "$0")/.."
root=${BALLAST_BUILD_ROOT:-build/ci}
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${BALLAST_FUZZ_SECONDS:-60}

step() { printf '\n==== %s ====\n' "$*"; }

cross=${BALLAST_CROSS:-1}
cross_seconds=${BALLAST_CROSS_SECONDS:-2700}

step "dependencies"
if [ "$cross" = 1 ]; then tools/install-deps.sh --cross; else tools/install-deps.sh; fi

step "release build + tests"
cmake -S . -B "$root-release" -DCMAKE_BUILD_TYPE=Release
cmake --build "$root-release" -j"$jobs"
ctest --test-dir "$root-release" --output-on-failure -j"$jobs"

step "ASan + UBSan build + tests"
cmake -S . -B "$root-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBALLAST_SANITIZE=ON
cmake --build "$root-asan" -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root-asan" --output-on-failure -j"$jobs"

if [ -f tests/fuzz/run_gguf_fuzz.sh ]; then
  step "GGUF reader fuzzing (${fuzz_seconds} s)"
  CC=clang CXX=clang++ cmake -S . -B "$root-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBALLAST_FUZZ=ON -DBALLAST_BUILD_TESTS=OFF
  cmake --build "$root-fuzz" -j"$jobs"
  bash tests/fuzz/run_gguf_fuzz.sh "$root-fuzz" "$fuzz_seconds"
fi

if [ "$cross" = 1 ]; then
  step "cross: aarch64 + armhf under qemu-user (at most ${cross_seconds} s)"
  BALLAST_CROSS_BUILD_ROOT="$root-cross" BALLAST_CROSS_JOBS="$jobs" \
    timeout "$cross_seconds" tools/run-cross-tests.sh
fi

step "all test stages passed"
