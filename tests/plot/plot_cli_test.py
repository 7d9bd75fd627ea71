"""End-to-end check of `uadscope plot` on a real workspace.

Builds a workspace with the project's own stages (synth, index, features). The device map
and the global map are written with h5py in the documented map layout (docs/formats.md), so
that this test does not depend on the UMAP stage. Then runs `uadscope plot` and checks: the expected
files per scope, PNG sizes from the dpi, SVG documents, the fingerprint file, that a second
run draws nothing, that --force draws again, and the usage errors (exit code 2).
"""

import json
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import h5py
    import numpy as np
except ImportError as error:  # Debian's python3-h5py and python3-numpy
    print(f"skipped: {error}")
    sys.exit(77)

BIN = os.environ.get("UADSCOPE_BIN")
DPI = 40


def run(*args, expect=0):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if result.returncode != expect:
        sys.exit(f"{' '.join(map(str, args))} exited {result.returncode}, expected {expect}\n"
                 f"{result.stdout}\n{result.stderr}")
    return result


def png_size(path):
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def write_map(path, features, rows, scope, stack, seed):
    """One point per stack of `stack` frames of the given file rows, at random places."""
    with h5py.File(features, "r") as f:
        offsets = f["file_offsets"][:]
        file_ids = f["file_id"][:]
    rng = np.random.default_rng(seed)
    file_id, frame = [], []
    for row in rows:
        frames = offsets[row + 1] - offsets[row]
        for k in range(0, max(0, frames - stack + 1), 3):
            file_id.append(file_ids[row])
            frame.append(k)
    points = len(file_id)
    embedding = rng.standard_normal((points, 2)).astype(np.float32)
    embedding[:, 0] += np.asarray(file_id) % 5
    with h5py.File(path, "w") as f:
        f["embedding"] = embedding
        f["file_id"] = np.asarray(file_id, dtype=np.int32)
        f["frame"] = np.asarray(frame, dtype=np.int32)
        f["fitted"] = np.ones(points, dtype=np.uint8)
        f.attrs["rep"] = "log_mel"
        f.attrs["scope"] = scope
        f.attrs["stack"] = stack
        f.attrs["seed"] = seed
    return points


def main():
    if not BIN or not Path(BIN).exists():
        print("skipped: UADSCOPE_BIN is not set")
        sys.exit(77)
    with tempfile.TemporaryDirectory(prefix="uadscope-plot-cli-") as temp:
        temp = Path(temp)
        data, work = temp / "data", temp / "work"
        run("synth", data, "--clips", 2, "--seconds", 1, "--machines", "fan,pump")
        run("index", data, "-o", work)
        run("features", work, "--rep", "log_mel")
        features = work / "features" / "log_mel.h5"

        manifest = (work / "manifest.csv").read_text().splitlines()
        header = manifest[0].split(",")
        device_column = header.index("device")
        fan_rows = [i for i, line in enumerate(manifest[1:])
                    if line.split(",")[device_column] == "fan"]
        assert fan_rows, "the synthetic dataset has no fan files"
        (work / "maps").mkdir()
        write_map(work / "maps" / "log_mel_s2_device-fan.h5", features, fan_rows,
                  "device-fan", 2, 5)
        write_map(work / "maps" / "log_mel_s1_global.h5", features,
                  range(len(manifest) - 1), "global", 1, 6)

        result = run("plot", work, "--dpi", DPI, "--cross-exclude", 5, "--cross-average", 5)
        plots = work / "plots"
        names = sorted(p.name for p in plots.iterdir())
        expected_stems = ["log_mel_s1_global_global", "log_mel_s2_device-fan_device"]
        for stem in expected_stems:
            for extension in ("png", "svg"):
                assert f"{stem}.{extension}" in names, f"{stem}.{extension} missing: {names}"
        sections = [n for n in names if n.startswith("log_mel_s2_device-fan_section-")]
        assert sections and len(sections) % 2 == 0, f"no section plots: {names}"
        assert not any(n.startswith("log_mel_s1_global_section") for n in names), names
        assert not any(".tmp-" in n for n in names), names

        # Widths are fixed (9 and 12 inches); heights shrink to the map's aspect ratio.
        for name, nominal_width, nominal_height in (("log_mel_s1_global_global.png", 9, 7),
                                                    ("log_mel_s2_device-fan_device.png", 12, 6)):
            width, height = png_size(plots / name)
            assert width == nominal_width * DPI, (name, width)
            assert height <= nominal_height * DPI, (name, height)
            assert height > 2 * DPI, (name, height)
        svg = (plots / "log_mel_s2_device-fan_device.svg").read_text()
        assert svg.startswith("<?xml"), svg[:100]
        assert "<svg" in svg
        assert svg.rstrip().endswith("</svg>"), svg[-100:]

        stamps = json.loads((plots / ".stamps.json").read_text())
        written = len(names) - 1
        assert len(stamps["plots"]) == written, stamps
        assert f"plots: {written} written, 0 unchanged, 0 failed" in result.stdout, result.stdout

        mtime = (plots / "log_mel_s1_global_global.png").stat().st_mtime_ns
        again = run("plot", work, "--dpi", DPI, "--cross-exclude", 5, "--cross-average", 5)
        assert f"plots: 0 written, {written} unchanged, 0 failed" in again.stdout, again.stdout
        assert (plots / "log_mel_s1_global_global.png").stat().st_mtime_ns == mtime

        forced = run("plot", work, "--map", "log_mel_s1_global", "--format", "png",
                     "--dpi", DPI, "--force")
        assert "plots: 1 written, 0 unchanged, 0 failed" in forced.stdout, forced.stdout

        run("plot", work, "--kind", "devices", expect=2)
        run("plot", work, "--format", "jpg", expect=2)
        missing = run("plot", work, "--map", "no_such_map", expect=2)
        assert "log_mel_s1_global" in missing.stderr, missing.stderr
        run("plot", temp / "not_a_workspace", expect=1)
    print("ok")


if __name__ == "__main__":
    main()
