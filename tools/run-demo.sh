#!/usr/bin/env bash
# The README's main command. Installs dependencies, builds Ballast, and runs
# the main job on the bundled default model.
#
# Status (foundation stage): the inference engine and the trained default
# model do not exist yet, so for now this generates a small random-weight test
# model with the project's own tool (ballast-mkmodel) and runs
# `ballast info` and `ballast plan` on it. When the engine and the default
# model land, this script runs the streaming transcription summariser instead.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BALLAST_BUILD_DIR:-build/demo}
jobs=$(nproc 2>/dev/null || echo 2)

tools/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBALLAST_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target ballast_cli ballast-mkmodel

model="$build/demo-model.gguf"
echo "== generating a random-weight test model: $model"
"$build/bin/ballast-mkmodel" --preset tiny --type q8_0 --seed 1 -o "$model"
echo "== ballast info $model"
"$build/bin/ballast" info "$model" --no-metadata
echo "== ballast plan (4 sinks + 1020 window slots, 2 threads)"
"$build/bin/ballast" plan -m "$model" --sinks 4 --window 1020 --threads 2
