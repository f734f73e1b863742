#!/usr/bin/env bash
# Builds llamacpp_bench (the llama.cpp timing harness) into WORK_DIR against
# the prebuilt libllama that tools/llamacpp/setup.sh installs from npm
# (running setup.sh first when needed); rebuilds when the source is newer.
# Prints the harness path. Used by compare.sh and memory_and_full_cache.sh.
# usage: tools/compare-llamacpp/build_harness.sh WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$1"
mkdir -p "$work"
llamacpp="$root/tools/llamacpp"
[ -x "$llamacpp/build/llamacpp_ref" ] && [ -d "$llamacpp/vendor/include" ] || "$llamacpp/setup.sh" >&2
libllama="$(find "$llamacpp/node_modules/@node-llama-cpp/linux-x64" -name 'libllama*.so' ! -name 'libllama-common*' | sort | head -n 1)"
libdir="$(dirname "$libllama")"
libggml="$(basename "$(find "$libdir" -maxdepth 1 -name 'libggml.*so*' | sort | head -n 1)")"
harness="$work/llamacpp_bench"
if [ ! -x "$harness" ] || [ "$here/llamacpp_bench.cpp" -nt "$harness" ]; then
  "${CXX:-g++}" -std=c++17 -O2 -Wall -Wextra -I "$llamacpp/vendor/include" -I "$llamacpp/vendor/ggml/include" \
    "$here/llamacpp_bench.cpp" -o "$harness" "$libllama" "$libdir/$libggml" "$libdir/libggml-base.so" \
    -Wl,-rpath,"$libdir" -ldl >&2
fi
echo "$harness"
