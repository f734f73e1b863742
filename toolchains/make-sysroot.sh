#!/usr/bin/env bash
# Builds a build-local sysroot with a target's dependencies, from Debian's own
# packages for that architecture, without installing anything system-wide
# (foreign -dev packages conflict with the native ones: DESIGN.md §8).
#
#   toolchains/make-sysroot.sh ARCH [OUT_DIR]
#
#   ARCH     arm64 (Raspberry Pi OS 64-bit) or armhf (Raspberry Pi OS 32-bit)
#   OUT_DIR  default: build-cross-sysroot/ARCH in the repository (ignored by git)
#
# Packages (apt-get download, then dpkg-deb -x into OUT_DIR):
#   arm64  cpuinfo, pthreadpool, XNNPACK, oneDNN
#   armhf  cpuinfo, pthreadpool, XNNPACK (Debian has no armhf oneDNN)
# doctest is header-only: the host's doctest-dev is used.
#
# apt runs with a private state (lists + cache under OUT_DIR/.apt) that sees
# only ARCH, so the system's apt configuration and dpkg database are untouched
# and no root is needed. Running it again with the sysroot present does nothing
# (delete OUT_DIR to refresh). The C library comes from the cross compiler's
# own tree (/usr/aarch64-linux-gnu, /usr/arm-linux-gnueabihf), not from here.
set -euo pipefail

arch="${1:-}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${2:-$repo/build-cross-sysroot/$arch}"

case "$arch" in
  arm64) packages=(libcpuinfo0 libcpuinfo-dev libpthreadpool0 libpthreadpool-dev
                   libxnnpack0 libxnnpack-dev libdnnl2 libdnnl-dev) ;;
  armhf) packages=(libcpuinfo0 libcpuinfo-dev libpthreadpool0 libpthreadpool-dev
                   libxnnpack0 libxnnpack-dev) ;;
  *) echo "usage: $0 arm64|armhf [OUT_DIR]" >&2; exit 2 ;;
esac

stamp="$out/.ballast-sysroot-complete"
if [[ -f "$stamp" ]]; then
  echo "make-sysroot: $out is ready ($(tr '\n' ' ' < "$stamp"))"
  exit 0
fi

apt_dir="$out/.apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
apt_opts=(-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o "APT::Architectures::=$arch" -o "APT::Architecture=$arch"
          -o "Debug::NoLocking=1")

echo "make-sysroot: updating a private $arch package list"
# Only the ARCH lists matter; an update that fails for some other list is tolerated.
if ! apt-get "${apt_opts[@]}" update > "$apt_dir/update.log" 2>&1; then
  echo "make-sysroot: apt-get update reported errors (see $apt_dir/update.log); trying the download anyway" >&2
fi

echo "make-sysroot: downloading ${packages[*]}"
if ! (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" > "$apt_dir/download.log" 2>&1); then
  echo "make-sysroot: apt-get download failed:" >&2
  cat "$apt_dir/download.log" >&2
  exit 1
fi

for deb in "$apt_dir"/debs/*.deb; do
  dpkg-deb -x "$deb" "$out"
done

# doctest (header-only, architecture-independent): the host's copy. Its CMake
# package hard-codes _IMPORT_PREFIX "/usr", which would put the host's
# /usr/include on the cross compiler's path; the sysroot copy computes the
# prefix from its own location instead.
if [[ ! -f /usr/include/doctest/doctest.h || ! -f /usr/lib/cmake/doctest/doctestTargets.cmake ]]; then
  echo "make-sysroot: host doctest-dev missing (tools/install-deps.sh installs it)" >&2
  exit 1
fi
mkdir -p "$out/usr/include" "$out/usr/lib/cmake"
cp -r /usr/include/doctest "$out/usr/include/"
cp -r /usr/lib/cmake/doctest "$out/usr/lib/cmake/"
sed -i 's|^set(_IMPORT_PREFIX "/usr")$|get_filename_component(_IMPORT_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)|' \
  "$out/usr/lib/cmake/doctest/doctestTargets.cmake"
grep -q 'CMAKE_CURRENT_LIST_DIR}/../../..' "$out/usr/lib/cmake/doctest/doctestTargets.cmake" || {
  echo "make-sysroot: could not relocate doctest's CMake package" >&2; exit 1; }

# pkg-config files say prefix=/usr; the toolchain files set
# PKG_CONFIG_SYSROOT_DIR=OUT_DIR so the -I/-L they give land inside it.
for deb in "$apt_dir"/debs/*.deb; do
  dpkg-deb --show --showformat='${Package}=${Version}\n' "$deb"
done > "$stamp"
echo "doctest-dev=$(dpkg-query -W -f='${Version}' doctest-dev) (host copy)" >> "$stamp"
echo "make-sysroot: $arch sysroot ready in $out"
sed 's/^/  /' "$stamp"
