#!/usr/bin/env bash
# The first command on a fresh machine: sets up and builds (scripts/setup.sh), generates the
# built-in demo dataset and runs the whole pipeline on it.
# Usage: scripts/demo.sh [OUTPUT_FOLDER]   (default: ./demo beside the checkout's files)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${UADSCOPE_BUILD_DIR:-$ROOT/build}"
OUT="${1:-$ROOT/demo}"

bash "$ROOT/scripts/setup.sh"
"$BUILD_DIR/uadscope" synth "$OUT/data"
# `run` ends by printing where the report is and the command that opens the explorer.
"$BUILD_DIR/uadscope" run "$OUT/data" -o "$OUT/work"
