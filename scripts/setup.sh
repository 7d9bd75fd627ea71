#!/usr/bin/env bash
# Installs the Debian packages uadscope needs, builds the web viewer and the C++ code
# in Release. Idempotent: a second run only rebuilds what changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${UADSCOPE_BUILD_DIR:-$ROOT/build}"

DEBIAN_PACKAGES=(
    build-essential cmake pkg-config clang-format
    libsndfile1-dev libsoxr-dev libfftw3-dev libhdf5-dev
    libeigen3-dev libspectra-dev libhnswlib-dev libopenblas-dev liblinear-dev
    libcairo2-dev libcpp-httplib-dev nlohmann-json3-dev libcli11-dev
    libspdlog-dev libfmt-dev libtbb-dev libgtest-dev libgmock-dev libbenchmark-dev
    python3 python3-numpy python3-scipy python3-h5py python3-sklearn
    sox chromium
)
# The machine may bring Node.js from elsewhere with npm included; Debian's npm would clash.
if ! command -v npm >/dev/null 2>&1; then
    DEBIAN_PACKAGES+=(nodejs npm)
fi

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
        SUDO=sudo
    else
        SUDO=
    fi
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [[ -f "$ROOT/web/package-lock.json" ]]; then
    (cd "$ROOT/web" && npm ci --no-audit --no-fund && npm run build)
fi

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j "$(nproc)"
