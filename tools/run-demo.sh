#!/usr/bin/env bash
# The README's first command: Ballast's main job on the bundled default model.
# Installs dependencies, builds the `ballast` CLI, then streams a bundled
# public-domain transcript (FDR's 1941 State of the Union, whisper.cpp-style
# timestamped lines) into `ballast stream`, paced like speech (sped up so the
# demo takes about a minute), printing each line as it is fed and a summary
# every 250 tokens. The default model is a 6.8M-parameter toy: the summaries
# show the mechanism, not quality. Bring an instruct GGUF for real summaries:
#   tools/run-demo.sh path/to/qwen2.5-0.5b-instruct-q8_0.gguf
# Environment: BALLAST_BUILD_DIR (default build/demo), DEMO_PACE_WPS (default 15;
# live speech is about 2.5), BALLAST_SKIP_DEPS=1 to skip the package install.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BALLAST_BUILD_DIR:-build/demo}
jobs=$(nproc 2>/dev/null || echo 2)
model=${1:-models/default/ballast-default.gguf}
transcript=${DEMO_TRANSCRIPT:-examples/transcripts/sotu-1941-excerpt.txt}
pace=${DEMO_PACE_WPS:-15}

if [ "${BALLAST_SKIP_DEPS:-0}" != 1 ]; then tools/install-deps.sh; fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBALLAST_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target ballast_cli >/dev/null

window=2044
if [ "$model" = models/default/ballast-default.gguf ]; then window=511; fi  # trained on 512-token contexts
echo "== ballast stream: $transcript at $pace words/s into $model (window $window)"
echo "== lines fed are shown as '  > ...', summaries as '[summary N | t hh:mm:ss | tokens] ...'"
exec "$build/bin/ballast" stream -m "$model" --input "$transcript" --pace-wps "$pace" --echo-input \
  --every-tokens 250 --window "$window" --summary-tokens 40 --temp 0.7 --repeat-penalty 1.1
