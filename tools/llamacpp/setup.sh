#!/usr/bin/env bash
# Sets up the llama.cpp reference peer (DESIGN.md §8) without compiling llama.cpp:
#   1. installs the pinned npm packages (node-llama-cpp: source bundle;
#      @node-llama-cpp/linux-x64: prebuilt libllama + ggml CPU variants),
#   2. extracts llama.h and the ggml headers from the source bundle into vendor/,
#   3. checks that the headers and the prebuilt library are the same release,
#   4. builds our harness llamacpp_ref.cpp into build/llamacpp_ref, linked with
#      an rpath to the prebuilt libraries (no LD_LIBRARY_PATH needed).
# Usage: tools/llamacpp/setup.sh        (idempotent; re-run after a version bump)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

die() { echo "setup.sh: $*" >&2; exit 1; }
command -v npm >/dev/null || die "npm not found (Debian: apt-get install npm)"
command -v node >/dev/null || die "node not found (Debian: apt-get install nodejs)"
command -v git >/dev/null || die "git not found"
CXX="${CXX:-g++}"
command -v "$CXX" >/dev/null || die "C++ compiler $CXX not found"

# 1. npm packages. `npm ci` cannot be used: node-llama-cpp lists optional
# per-platform packages (win-*, mac-*, linux-riscv64) at versions the registry
# does not have, so the lock cannot contain them and `npm ci` rejects it as out
# of sync. `npm install --no-save` still installs exactly the locked versions.
# Optional packages (CUDA/Vulkan/ARM builds, ~650 MB) are skipped; install
# scripts are skipped too (node-llama-cpp's would try to download or build).
npm install --no-save --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error
for pkg in node-llama-cpp @node-llama-cpp/linux-x64; do
  want="$(node -p "require('./package.json').dependencies['$pkg']")"
  have="$(node -p "require('./node_modules/$pkg/package.json').version")"
  [ "$want" = "$have" ] || die "$pkg: package.json pins $want but $have is installed"
done

# 2. Headers from the git bundle of the llama.cpp source.
bundle="node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || die "missing $bundle"
rm -rf vendor
mkdir -p vendor
git init -q --bare vendor/llama.cpp.git
git --git-dir=vendor/llama.cpp.git fetch -q "$here/$bundle" HEAD
commit="$(git --git-dir=vendor/llama.cpp.git rev-parse FETCH_HEAD)"
git --git-dir=vendor/llama.cpp.git archive FETCH_HEAD include ggml/include | tar -x -C vendor
echo "$commit" > vendor/COMMIT
source_tag="$(node -p "require('./node_modules/node-llama-cpp/llama/llama.cpp.info.json').tag")"
echo "$source_tag" > vendor/TAG

# 3. The prebuilt library: the generic x64 folder of @node-llama-cpp/linux-x64
# (the one that also has libggml-cpu-x64.so; sibling files are the other CPU
# variants that ggml loads at run time).
libllama="$(find node_modules/@node-llama-cpp/linux-x64 -name 'libllama*.so' ! -name 'libllama-common*' | sort | head -n 1)"
[ -n "$libllama" ] || die "no libllama*.so in @node-llama-cpp/linux-x64"
libdir="$(cd "$(dirname "$libllama")" && pwd)"
[ -f "$libdir/libggml-cpu-x64.so" ] || die "no generic libggml-cpu-x64.so next to $libllama"
libggml="$(cd "$libdir" && ls libggml.*so | head -n 1)"
[ -f "$libdir/libggml-base.so" ] || die "no libggml-base.so in $libdir"
binary_tag="$(node -p "require('$libdir/_nlcBuildMetadata.json').buildOptions.llamaCpp.release")"
[ "$source_tag" = "$binary_tag" ] || die "source bundle is $source_tag but the prebuilt library is $binary_tag"

# Every function llama.h declares must be exported by the prebuilt library.
exports="$(nm -D --defined-only "$libdir/$(basename "$libllama")" | awk '$2 == "T" { print $3 }')"
missing=0
for fn in $(grep -vE '^\s*//' vendor/include/llama.h | grep -oE 'LLAMA_API[^;(]*[ *](llama_[a-z0-9_]+)\(' | grep -oE 'llama_[a-z0-9_]+\($' | tr -d '('); do
  if ! grep -qx "$fn" <<<"$exports"; then
    echo "setup.sh: llama.h declares $fn but $(basename "$libllama") does not export it" >&2
    missing=$((missing + 1))
  fi
done
[ "$missing" -eq 0 ] || die "$missing llama.h functions missing from the library: headers and binary differ"

# 4. The harness.
mkdir -p build
"$CXX" -std=c++17 -O2 -Wall -Wextra \
  -I vendor/include -I vendor/ggml/include \
  llamacpp_ref.cpp -o build/llamacpp_ref \
  "$libdir/$(basename "$libllama")" "$libdir/$libggml" "$libdir/libggml-base.so" \
  -Wl,-rpath,"$libdir" -ldl

echo "llama.cpp source: $source_tag (commit $commit), headers in $here/vendor"
echo "libllama: $libdir/$(basename "$libllama")"
echo "CPU backend by default: $libdir/libggml-cpu-x64.so (generic x64; --cpu-variant to change)"
echo "harness: $here/build/llamacpp_ref"
"$here/build/llamacpp_ref" version | head -n 3
