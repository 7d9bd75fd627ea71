"""Fit umap-learn on a float32 .npy input and report time and peak memory.

Usage: umap_learn_run.py INPUT.npy OUTPUT.npy [--seed N]

Imports umap-learn from the source tree in the environment variable UMAP_LEARN_SRC (for
example a checkout of github.com/lmcinnes/umap at tag release-0.5.7) with Debian's numba,
pynndescent and scikit-learn. Prints one line of "key=value" fields, as bench/umap_bench
does, and writes the embedding as float32 .npy.

Without --seed umap-learn runs its parallel (unseeded) mode, its fastest; numba compiles
its functions before the timed fit on a small warm-up input, so compilation is not timed.
"""

import argparse
import os
import resource
import sys
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    source = os.environ.get("UMAP_LEARN_SRC")
    if not source:
        print("umap-learn: not available (set UMAP_LEARN_SRC to its source tree)")
        return 77
    sys.path.insert(0, source)
    import umap  # noqa: E402 (the path is only known at run time)

    data = np.load(args.input)
    warm_up = np.random.default_rng(0).normal(size=(5000, data.shape[1])).astype(np.float32)
    umap.UMAP(n_neighbors=15, min_dist=0.1).fit(warm_up)

    start = time.perf_counter()
    cpu_start = time.process_time()
    model = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=args.seed)
    embedding = model.fit_transform(data)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    np.save(args.output, embedding.astype(np.float32))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    # A source tree is not an installed package, so umap.__version__ is "0.5-dev" there.
    print(
        f"fit: rows={data.shape[0]} dims={data.shape[1]} wall_s={wall:.2f} "
        f"cpu_s={cpu:.2f} peak_rss_mb={peak_mb:.0f} source={source} seed={args.seed}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
