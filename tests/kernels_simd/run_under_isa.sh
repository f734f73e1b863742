#!/bin/sh
# run_under_isa.sh ISA PROBE_BINARY TEST_BINARY [doctest args...]
# Runs a doctest binary with BALLAST_ISA=ISA. Exits 77 (CTest: skipped) when
# this CPU cannot run ISA -- decided by Ballast's own dispatch (ballast_tests'
# "host dispatch table is built once" case, run from PROBE_BINARY, fails for
# an unsupported forced level) -- so a missing ISA shows as skipped, never as
# passed.
isa="$1"; probe="$2"; binary="$3"; shift 3
if ! BALLAST_ISA="$isa" "$probe" -tc="host dispatch table is built once" >/dev/null 2>&1; then
  echo "skipped: this CPU cannot run BALLAST_ISA=$isa"
  exit 77
fi
BALLAST_ISA="$isa" exec "$binary" "$@"
