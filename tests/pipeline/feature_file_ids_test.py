"""A feature file whose file_id column is damaged is refused with a message that names it.

file_id indexes per-file tables in every stage that reads features. An id out of range or
listed twice must stop `uadscope map` with an error (exit 1) that names the file and asks
to compute it again. It must never crash or map another file's frames under its name.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

try:
    import h5py
    import numpy as np
except ImportError as error:  # Debian's python3-h5py and python3-numpy
    print(f"skipped: {error}")
    sys.exit(77)

BIN = os.environ.get("UADSCOPE_BIN")
NAMES = [
    "fan/train/section_00_source_train_normal_0000_noAttribute.wav",
    "fan/train/section_00_source_train_normal_0001_noAttribute.wav",
    "fan/test/section_00_source_test_anomaly_0000_noAttribute.wav",
    "pump/train/section_00_source_train_normal_0000_noAttribute.wav",
]


def run(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)


def write_wav(path, seconds, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = np.random.default_rng(seed).normal(0, 3000, int(16000 * seconds))
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(samples.astype("<i2").tobytes())


def main():
    if not BIN or not os.path.exists(BIN):
        print("skipped: UADSCOPE_BIN is not set")
        return 77
    with tempfile.TemporaryDirectory(prefix="uadscope-file-ids-") as root:
        root = Path(root)
        for seed, name in enumerate(NAMES):
            write_wav(root / "dev" / name, 1.0, seed)
        work = root / "work"
        for args in (["index", root / "dev", "-o", work],
                     ["features", work, "--rep", "log_mel", "--jobs", "1"]):
            result = run(*args)
            if result.returncode != 0:
                print(f"FAIL: {args} exited {result.returncode}\n{result.stderr}")
                return 1

        failures = 0
        for damage, expected in ((100000, "out of range"), (-7, "out of range"),
                                 (2, "listed twice")):
            copy = root / f"work_{damage}"
            shutil.copytree(work, copy)
            features = copy / "features" / "log_mel.h5"
            with h5py.File(features, "r+") as handle:
                ids = handle["file_id"][...]
                ids[3] = damage
                handle["file_id"][...] = ids
            result = run("map", copy, "--scope", "device", "--jobs", "1")
            output = result.stdout + result.stderr
            if result.returncode != 1 or str(features) not in output or expected not in output:
                print(f"FAIL: file_id {damage}: exit {result.returncode}, expected 1 with "
                      f"'{expected}' and the file's path\n{output}")
                failures += 1
            if (copy / "maps").exists() and any((copy / "maps").iterdir()):
                print(f"FAIL: file_id {damage}: maps were written: "
                      f"{sorted(p.name for p in (copy / 'maps').iterdir())}")
                failures += 1
        result = run("map", work, "--scope", "device", "--jobs", "1")
        if result.returncode != 0:
            print(f"FAIL: the undamaged workspace exited {result.returncode}\n{result.stderr}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
