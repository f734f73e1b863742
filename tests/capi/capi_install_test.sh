#!/usr/bin/env bash
# capi_install_test.sh BUILD_DIR SOURCE_DIR MKMODEL WORK_DIR CC CMAKE
#
# Installs the build into WORK_DIR/prefix (cmake --install), checks the tree
# (header, libballast.a, libballast.so.<major> with its SONAME, pkg-config
# files, CMake package), checks the installed .so exports only the C API,
# then builds examples/c_generate/main.c against the installed tree four
# ways and runs each on a generated model:
#   1. pkg-config ballast          (plain cc, -std=c11 -Wall -Wextra -Werror -pedantic, shared)
#   2. pkg-config ballast-static   (plain cc, libballast.a)
#   3. find_package(ballast)       (CMake project, ballast::ballast, shared)
#   4. find_package(ballast)       (CMake project, ballast::ballast_static)
set -euo pipefail
build_dir=$1 source_dir=$2 mkmodel=$3 work=$4 cc=$5 cmake=$6

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

step "cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" > "$work/install.log"
archive=$(find "$prefix" -name libballast.a | head -1)
[ -n "$archive" ] || fail "libballast.a not installed under $prefix"
libdir=$(dirname "$archive")
for f in include/ballast.h; do [ -f "$prefix/$f" ] || fail "missing $f"; done
for f in libballast.a libballast.so pkgconfig/ballast.pc pkgconfig/ballast-static.pc \
         cmake/ballast/ballastConfig.cmake cmake/ballast/ballastConfigVersion.cmake cmake/ballast/ballastTargets.cmake; do
  [ -e "$libdir/$f" ] || fail "missing $libdir/$f"
done
soname=$(readelf -d "$libdir/libballast.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ "$soname" =~ ^libballast\.so\.[0-9]+$ ]] || fail "SONAME is '$soname', expected libballast.so.<major>"
[ -L "$libdir/libballast.so" ] && [ -L "$libdir/$soname" ] || fail "libballast.so and $soname should be symlinks"
[ -f "$(readlink -f "$libdir/$soname")" ] || fail "$soname does not resolve to a file"
echo "SONAME $soname -> $(readlink "$libdir/$soname")"
# Installed headers: only the public ones (ballast.h, and ballast_stream.h where it exists).
installed_headers=$(cd "$prefix/include" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
expected_headers=$(cd "$source_dir/runtime/capi" && ls ballast.h ballast_stream.h 2>/dev/null | sort | tr '\n' ' ' || true)
[ "$installed_headers" = "$expected_headers" ] || fail "installed headers '$installed_headers', expected '$expected_headers'"
echo "headers: $installed_headers"

step "exported symbols of the installed libballast.so"
bash "$source_dir/tests/capi/check_exported_symbols.sh" "$libdir/libballast.so" nm "$prefix"/include/*.h

step "pkg-config metadata"
export PKG_CONFIG_PATH=$libdir/pkgconfig
pkg-config --exists ballast || fail "pkg-config does not find ballast"
version=$(pkg-config --modversion ballast)
grep -q "#define BALLAST_VERSION_STRING \"$version\"" "$prefix/include/ballast.h" || fail "ballast.pc version $version differs from the header"
static_libs=$(pkg-config --static --libs ballast)
echo "pkg-config --static --libs ballast: $static_libs"
for flag in -lballast -lcpuinfo -lstdc++ -pthread; do
  [[ " $static_libs " == *" $flag "* ]] || fail "pkg-config --static --libs ballast lacks $flag"
done
shared_libs=$(pkg-config --libs ballast)
[[ " $shared_libs " != *" -lcpuinfo "* ]] || fail "private dependencies leak into pkg-config --libs ballast: $shared_libs"

model=$work/model.gguf
"$mkmodel" -o "$model" --type q8_0 --vocab 400 --seed 3 --quiet > /dev/null
example=$source_dir/examples/c_generate/main.c
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic)

# run_example NAME BINARY EXPECT_SHARED: runs it, checks output and linkage.
run_example() {
  local name=$1 binary=$2 expect_shared=$3
  local needed
  needed=$(readelf -d "$binary" | grep NEEDED || true)
  if [ "$expect_shared" = yes ]; then
    [[ "$needed" == *"[$soname]"* ]] || fail "$name: not linked against $soname: $needed"
  else
    [[ "$needed" != *libballast* ]] || fail "$name: static build still needs libballast.so: $needed"
  fi
  "$binary" "$model" "The sinks hold" 24 > "$work/$name.out" 2> "$work/$name.err" ||
    { cat "$work/$name.err"; fail "$name exited with $?"; }
  head -c 14 "$work/$name.out" | grep -q "^The sinks hold" || fail "$name: stdout does not start with the prompt"
  grep -qE "c_generate: generated ([0-9]+) tokens" "$work/$name.err" || { cat "$work/$name.err"; fail "$name: no stats line"; }
  grep -q "arena [1-9][0-9]* bytes" "$work/$name.err" || fail "$name: no arena size in the stats line"
  # Errors come back as status + message, exit code 1.
  if "$binary" "$work/no-such-model.gguf" > /dev/null 2> "$work/$name.missing.err"; then
    fail "$name: a missing model did not fail"
  fi
  grep -q "i/o error" "$work/$name.missing.err" || fail "$name: missing model error lacks the status string"
  grep -q "no-such-model.gguf" "$work/$name.missing.err" || fail "$name: missing model error lacks the message"
  echo "$name: ok ($(grep -oE 'generated [0-9]+ tokens' "$work/$name.err"))"
}

step "1. cc + pkg-config ballast (shared)"
# shellcheck disable=SC2046
"$cc" "${cflags[@]}" "$example" -o "$work/pc-shared" $(pkg-config --cflags --libs ballast) \
  -Wl,-rpath,"$(pkg-config --variable=libdir ballast)"
run_example pc-shared "$work/pc-shared" yes
# The outputs of every build below must equal this one (same model, seed).
reference=$work/pc-shared.out

step "2. cc + pkg-config ballast-static (libballast.a)"
# shellcheck disable=SC2046
"$cc" "${cflags[@]}" "$example" -o "$work/pc-static" $(pkg-config --cflags --libs ballast-static)
run_example pc-static "$work/pc-static" no
cmp "$reference" "$work/pc-static.out" || fail "static and shared builds generate different text"

step "3. CMake find_package(ballast) -> ballast::ballast"
"$cmake" -S "$source_dir/examples/c_generate" -B "$work/cmake-shared" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release > "$work/cmake-shared.log" || { cat "$work/cmake-shared.log"; fail "configure"; }
"$cmake" --build "$work/cmake-shared" >> "$work/cmake-shared.log" || { cat "$work/cmake-shared.log"; fail "build"; }
run_example cmake-shared "$work/cmake-shared/c_generate" yes
cmp "$reference" "$work/cmake-shared.out" || fail "CMake shared build generates different text"

step "4. CMake find_package(ballast) -> ballast::ballast_static"
"$cmake" -S "$source_dir/examples/c_generate" -B "$work/cmake-static" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release -DBALLAST_EXAMPLE_STATIC=ON > "$work/cmake-static.log" ||
  { cat "$work/cmake-static.log"; fail "configure"; }
"$cmake" --build "$work/cmake-static" >> "$work/cmake-static.log" || { cat "$work/cmake-static.log"; fail "build"; }
run_example cmake-static "$work/cmake-static/c_generate" no
cmp "$reference" "$work/cmake-static.out" || fail "CMake static build generates different text"

step "5. the README's embedding example compiles and runs against the installed tree"
awk '/^## Embedding Ballast in a C program/ {in_section = 1}
     in_section && /^```c$/ {in_code = 1; next}
     in_code && /^```$/ {exit}
     in_code {print}' "$source_dir/README.md" > "$work/readme_example.c"
[ -s "$work/readme_example.c" ] || fail "no C example found in the README's embedding section"
# shellcheck disable=SC2046
"$cc" "${cflags[@]}" "$work/readme_example.c" -o "$work/readme-example" $(pkg-config --cflags --libs ballast) \
  -Wl,-rpath,"$(pkg-config --variable=libdir ballast)"
"$work/readme-example" "$model" > "$work/readme-example.out" 2> "$work/readme-example.err" ||
  { cat "$work/readme-example.err"; fail "README example exited with $?"; }
[ -s "$work/readme-example.out" ] || fail "README example printed nothing"
"$work/readme-example" "$work/no-such-model.gguf" 2> "$work/readme-example.missing.err" && fail "README example: missing model did not fail"
grep -q "^i/o error: " "$work/readme-example.missing.err" || fail "README example: unexpected error text"
echo "README example: ok"

echo "capi install test: every build against the installed tree works"
