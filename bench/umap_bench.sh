#!/usr/bin/env bash
# Benchmarks uadscope's UMAP beside umap-learn on the same inputs in the same run: wall
# time, CPU time, peak RSS, trustworthiness and kNN preservation (both embeddings scored by
# the same code, bench/umap_bench quality).
#
# Inputs, written once as float32 .npy under $UMAP_BENCH_CACHE so both read the same bytes:
#   - Gaussian mixtures of 10 000, 50 000 and 100 000 rows x 640 columns
#     (umap_bench gaussian: 20 components of intrinsic dimension 10, seed 1);
#   - isotropic Gaussian blobs of 100 000 rows x 640 columns (umap_bench blobs: 20 blobs of
#     standard deviation 1, centres uniform in [-10, 10], as scikit-learn's make_blobs);
#   - log-mel stack-5 vectors of every .wav under $UADSCOPE_SHARED_DIR/data/dcase2023
#     (39 438 x 640), when that folder exists;
#   - with --scaling, 1 000 000 x 128 (uadscope only).
#
# umap-learn runs from a source tree named by UMAP_LEARN_SRC (for example a checkout of
# github.com/lmcinnes/umap at tag release-0.5.7) with Debian's python3-numba,
# python3-pynndescent, python3-sklearn and python3-tqdm; without it the script prints
# "umap-learn: not available" and runs uadscope alone.
#
# Environment: UADSCOPE_BUILD_DIR (folder with umap_bench, default build/),
# UMAP_BENCH_CACHE (default /tmp/uadscope-umap-bench), UMAP_BENCH_JOBS (threads, default 0:
# all), UMAP_BENCH_SIZES (Gaussian rows, default "10000 50000 100000").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${UADSCOPE_BUILD_DIR:-$ROOT/build}"
BENCH="$BUILD_DIR/umap_bench"
CACHE="${UMAP_BENCH_CACHE:-/tmp/uadscope-umap-bench}"
SHARED="${UADSCOPE_SHARED_DIR:-$ROOT/../shared}"
JOBS="${UMAP_BENCH_JOBS:-0}"
SIZES="${UMAP_BENCH_SIZES:-10000 50000 100000}"
PYTHON=/usr/bin/python3

scaling=0
for argument in "$@"; do
    case "$argument" in
        --scaling) scaling=1 ;;
        *)
            echo "usage: $0 [--scaling]" >&2
            exit 2
            ;;
    esac
done

if [[ ! -x "$BENCH" ]]; then
    echo "umap_bench not found in $BUILD_DIR: build it with cmake --build $BUILD_DIR --target umap_bench" >&2
    exit 1
fi
mkdir -p "$CACHE"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
if [[ -n "${UMAP_LEARN_SRC:-}" ]]; then
    echo "umap-learn: $UMAP_LEARN_SRC"
else
    echo "umap-learn: not available (set UMAP_LEARN_SRC to its source tree)"
fi

inputs=()
for rows in $SIZES; do
    file="$CACHE/gauss_${rows}x640.npy"
    [[ -f "$file" ]] || "$BENCH" gaussian --rows "$rows" --dims 640 --seed 1 --out "$file"
    inputs+=("$file")
done
file="$CACHE/blobs_100000x640_seed1.npy"
[[ -f "$file" ]] || "$BENCH" blobs --rows 100000 --dims 640 --clusters 20 --seed 1 --out "$file"
inputs+=("$file")
if [[ -d "$SHARED/data/dcase2023" ]]; then
    file="$CACHE/dcase2023_logmel_s5.npy"
    [[ -f "$file" ]] || "$BENCH" features --data "$SHARED/data/dcase2023" --representation log_mel \
        --stack 5 --out "$file"
    inputs+=("$file")
else
    echo "real data: $SHARED/data/dcase2023 not found, skipped"
fi

# Prints the fields of one result line, then the quality of its embedding.
run_and_score() {
    local label="$1" input="$2" embedding="$3"
    shift 3
    local line
    if ! line="$("$@" 2>"$CACHE/last_stderr.txt" | tail -n 1)"; then
        echo "$label: failed (see $CACHE/last_stderr.txt)"
        return
    fi
    echo "$label $line"
    "$BENCH" quality --input "$input" --embedding "$embedding" --jobs "$JOBS" 2>/dev/null |
        sed "s/^/$label /"
}

for input in "${inputs[@]}"; do
    name="$(basename "$input" .npy)"
    echo "== $name"
    run_and_score uadscope "$input" "$CACHE/${name}_uadscope.npy" \
        "$BENCH" fit --input "$input" --out "$CACHE/${name}_uadscope.npy" --jobs "$JOBS"
    if [[ -n "${UMAP_LEARN_SRC:-}" ]]; then
        run_and_score umap-learn "$input" "$CACHE/${name}_umap_learn.npy" \
            env UMAP_LEARN_SRC="$UMAP_LEARN_SRC" "$PYTHON" "$ROOT/bench/umap_learn_run.py" \
            "$input" "$CACHE/${name}_umap_learn.npy"
    fi
done

if ((scaling)); then
    file="$CACHE/gauss_1000000x128.npy"
    [[ -f "$file" ]] || "$BENCH" gaussian --rows 1000000 --dims 128 --seed 1 --out "$file"
    echo "== gauss_1000000x128 (scaling run, uadscope only)"
    run_and_score uadscope "$file" "$CACHE/gauss_1000000x128_uadscope.npy" \
        "$BENCH" fit --input "$file" --out "$CACHE/gauss_1000000x128_uadscope.npy" --jobs "$JOBS"
fi
