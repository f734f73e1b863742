#!/usr/bin/env bash
# check_exported_symbols.sh LIBBALLAST_SO NM HEADER...
# The shared library's dynamic symbol table must define exactly the functions
# the public headers declare (every one ballast_*, nothing else: no C++
# internals, no std:: instantiations, no third-party symbols).
set -euo pipefail
library=$1
nm_tool=${2:-nm}
shift 2
headers=("$@")

exported=$("$nm_tool" -D --defined-only "$library" | awk '{print $NF}' | sort)
declared=$(cat "${headers[@]}" | grep -oE '^BALLAST_API [^(]*\bballast_[a-z_0-9]+\(' | grep -oE 'ballast_[a-z_0-9]+\($' | tr -d '(' | sort)

if [ -z "$declared" ]; then echo "no BALLAST_API functions found in ${headers[*]}"; exit 1; fi
not_c_api=$(echo "$exported" | grep -v '^ballast_' || true)
if [ -n "$not_c_api" ]; then
  echo "FAIL: $library exports symbols outside the C API:"; echo "$not_c_api" | head -20; exit 1
fi
if [ "$exported" != "$declared" ]; then
  echo "FAIL: exported and declared functions differ (< exported, > declared):"
  diff <(echo "$exported") <(echo "$declared") || true
  exit 1
fi
echo "ok: $(echo "$exported" | wc -l) symbols exported, all ballast_*, exactly the functions ${headers[*]##*/} declare"
