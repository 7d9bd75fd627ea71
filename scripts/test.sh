#!/usr/bin/env bash
# Runs every test of uadscope: sets up the machine and builds (scripts/setup.sh), then the
# C++, Python-interoperability, end-to-end and browser tests through ctest.
# Tests that need ../shared (real recordings, reference fixtures) skip when it is absent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${UADSCOPE_BUILD_DIR:-$ROOT/build}"

bash "$ROOT/scripts/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 1500 -j "$(nproc)" "$@"
