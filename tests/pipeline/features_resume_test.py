"""Kill `uadscope features` with SIGKILL midway, rerun it and compare with a clean run.

Checks:
- the kill leaves no feature file under its final name, or a complete one;
- the rerun reuses every file whose parts were finished ("reused N files" in the log) and
  computes only the rest;
- the result equals a run that was never interrupted, and the parts are removed;
- a third run does no work.

Input: the shared recordings when UADSCOPE_SHARED_DIR has them, else generated WAV files.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

try:
    import h5py
    import numpy as np
except ImportError as error:  # Debian's python3-h5py and python3-numpy
    print(f"skipped: {error}")
    sys.exit(77)

BIN = os.environ.get("UADSCOPE_BIN")
SHARED = Path(os.environ.get("UADSCOPE_SHARED_DIR", "/nonexistent"))
REPS = ("log_stft", "log_mel")
# Parts that must exist before the kill, so that the rerun has something to reuse.
PARTS_BEFORE_KILL = 8


def run(*args, expect=0):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if result.returncode != expect:
        sys.exit(f"{' '.join(map(str, args))} exited {result.returncode}, expected {expect}\n"
                 f"{result.stdout}\n{result.stderr}")
    return result


def generate_dataset(folder):
    """60 clips of 10 s noise in the DCASE 2022 layout."""
    rng = np.random.default_rng(3)
    for i in range(60):
        split = "train" if i < 40 else "test"
        name = f"section_00_source_{split}_normal_{i:04d}_noAttribute.wav"
        path = folder / "fan" / split / name
        path.parent.mkdir(parents=True, exist_ok=True)
        samples = (rng.standard_normal(160000) * 3000).clip(-32768, 32767).astype("<i2")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes(samples.tobytes())
    return folder


def part_ids(work, rep):
    """file_ids with a finished part of `rep` (temporary files do not count)."""
    ids = set()
    for folder in (work / "features" / ".parts").glob(f"{rep}-*"):
        ids.update(int(path.stem) for path in folder.glob("*.bin"))
    return ids


def check_valid_or_absent(work):
    for rep in REPS:
        path = work / "features" / f"{rep}.h5"
        if not path.exists():
            continue
        with h5py.File(path, "r") as h5:
            offsets = h5["file_offsets"][()]
            assert offsets[-1] == h5["data"].shape[0], f"{path} is not complete"


def load(work, rep):
    with h5py.File(work / "features" / f"{rep}.h5", "r") as h5:
        arrays = {name: h5[name][()] for name in ("data", "energy", "file_offsets", "file_id")}
        arrays["file_status"] = list(h5["file_status"][()])
        arrays["attrs"] = {key: h5.attrs[key] for key in h5.attrs if key != "version"}
    return arrays


def main():
    if not BIN or not Path(BIN).exists():
        print("skipped: UADSCOPE_BIN is not set to the uadscope binary")
        return 77
    with tempfile.TemporaryDirectory(prefix="uadscope-resume-") as folder:
        root = Path(folder)
        if (SHARED / "data").is_dir():
            data = SHARED / "data"
        else:
            data = generate_dataset(root / "generated")
        work = root / "work"
        clean = root / "clean"
        run("index", data, "-o", work)
        run("index", data, "-o", clean)
        assert (work / "manifest.csv").read_bytes() == (clean / "manifest.csv").read_bytes()
        files = sum(1 for _ in open(work / "manifest.csv")) - 1

        # One worker keeps the run long enough to be killed midway.
        process = subprocess.Popen([BIN, "features", str(work), "--jobs", "1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and len(part_ids(work, "log_mel")) < PARTS_BEFORE_KILL:
            time.sleep(0.01)
        if process.poll() is not None:
            sys.exit("features finished before it could be killed; the input is too small")
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_valid_or_absent(work)
        finished = part_ids(work, "log_stft") & part_ids(work, "log_mel")
        assert len(finished) >= PARTS_BEFORE_KILL - 1, finished
        assert len(finished) < files, "every file was finished before the kill"
        print(f"killed after {len(finished)} of {files} files")

        rerun = run("features", work, "--jobs", "2")
        reused = re.search(r"reused (\d+) files", rerun.stderr)
        assert reused, rerun.stderr
        assert int(reused.group(1)) == len(finished), (reused.group(0), len(finished))
        computed = re.search(r"(\d+) computed, (\d+) reused", rerun.stdout)
        assert computed and int(computed.group(1)) == files - len(finished), rerun.stdout
        assert not (work / "features" / ".parts").exists(), "parts were not removed"
        leftovers = [p.name for p in (work / "features").iterdir() if ".tmp-" in p.name]
        assert not leftovers, leftovers

        run("features", clean, "--jobs", "2")
        for rep in REPS:
            resumed, reference = load(work, rep), load(clean, rep)
            for name in ("data", "energy", "file_offsets", "file_id"):
                assert np.array_equal(resumed[name], reference[name]), (rep, name)
            assert resumed["file_status"] == reference["file_status"], rep
            assert resumed["attrs"].keys() == reference["attrs"].keys(), rep
            for key, value in reference["attrs"].items():
                assert resumed["attrs"][key] == value, (rep, key)

        again = run("features", work)
        assert "up to date" in again.stdout, again.stdout
        assert "computing" not in again.stderr, again.stderr
        print("resumed run equals a clean run; a third run did no work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
