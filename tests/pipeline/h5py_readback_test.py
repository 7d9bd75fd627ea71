"""Read feature files back with h5py and check them against independent references.

Runs `uadscope index` and `uadscope features` on generated WAV files, and also on the
shared recordings behind the librosa fixtures when UADSCOPE_SHARED_DIR has them. Checks
layout, attributes, offsets and the manifest fingerprint. Values are checked against a NumPy
reimplementation of the documented pipeline (log-STFT and energy) and against librosa's
reference arrays (log-STFT and log-mel).
"""

import os
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
SHARED = Path(os.environ.get("UADSCOPE_SHARED_DIR", "/nonexistent"))

N_FFT = 1024
HOP = 512
SAMPLE_RATE = 16000
# librosa's float32 result differs from float64 by less than 0.002 dB (fixtures README), and
# our FFT runs in float32 too: 0.01 dB is the parity tolerance.
DB_TOLERANCE = 0.01


def run(*args, expect=0):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if result.returncode != expect:
        sys.exit(f"{' '.join(map(str, args))} exited {result.returncode}, expected {expect}\n"
                 f"{result.stdout}\n{result.stderr}")
    return result


def write_wav(path, samples, rate=SAMPLE_RATE):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data.tobytes())


def read_wav(path):
    with wave.open(str(path), "rb") as source:
        assert source.getsampwidth() == 2
        assert source.getnchannels() == 1
        assert source.getframerate() == SAMPLE_RATE
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32768.0


def reference_power(y):
    """Power STFT [frames, bins]: periodic Hann, centred frames with zero padding."""
    y = y - y.mean()
    y = y / np.max(np.abs(y))
    padded = np.pad(y, N_FFT // 2)
    frames = 1 + len(y) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    stack = np.stack([padded[i * HOP:i * HOP + N_FFT] * window for i in range(frames)])
    return np.abs(np.fft.rfft(stack, axis=1)) ** 2


def power_to_db(power):
    db = 10 * np.log10(np.maximum(1e-10, power))
    return np.maximum(db, db.max() - 80.0)


def fnv1a_fingerprint(data):
    """core::Hasher().add(bytes).hex(): FNV-1a 64 plus a 0xff separator byte."""
    state = 0xcbf29ce484222325
    for byte in data + b"\xff":
        state ^= byte
        state = (state * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{state:016x}"


def strings(dataset):
    return [value.decode() if isinstance(value, bytes) else value for value in dataset[()]]


def check_layout(work, rep, dims, manifest_paths):
    with h5py.File(work / "features" / f"{rep}.h5", "r") as h5:
        data = h5["data"]
        offsets = h5["file_offsets"][()]
        files = len(manifest_paths)
        assert data.dtype == np.float32, data.dtype
        assert data.ndim == 2, data.shape
        assert data.shape[1] == dims, data.shape
        assert data.chunks is not None, "data must be chunked"
        assert offsets.dtype == np.int64, offsets.dtype
        assert offsets.shape == (files + 1,), offsets.shape
        assert offsets[0] == 0, offsets[0]
        assert offsets[-1] == data.shape[0], (offsets[-1], data.shape)
        assert np.all(np.diff(offsets) >= 0)
        assert h5["energy"].dtype == np.float32, h5["energy"].dtype
        assert h5["energy"].shape == (data.shape[0],), h5["energy"].shape
        assert h5["file_id"].dtype == np.int32
        assert np.array_equal(h5["file_id"][()], np.arange(files))
        assert strings(h5["file_status"]) == ["ok"] * files, strings(h5["file_status"])
        assert strings(h5["file_path"]) == manifest_paths
        attrs = h5.attrs
        assert attrs["rep"] == rep
        assert attrs["n_fft"] == N_FFT
        assert attrs["hop_length"] == HOP
        assert attrs["sample_rate"] == SAMPLE_RATE
        assert attrs["norm"] == "absmax"
        assert attrs["db"] == "librosa"
        assert attrs["ref"] == 1.0
        assert attrs["amin"] == 1e-10
        assert attrs["top_db"] == 80.0
        assert abs(attrs["hop_seconds"] - HOP / SAMPLE_RATE) < 1e-12
        assert attrs["dims"] == dims
        assert attrs["version"].startswith("uadscope ")
        assert len(attrs["fingerprint"]) == 16
        manifest_bytes = (work / "manifest.csv").read_bytes()
        assert attrs["manifest_fingerprint"] == fnv1a_fingerprint(manifest_bytes)
        if rep == "log_mel":
            assert attrs["n_mels"] == 128
            assert attrs["fmin"] == 0
            assert attrs["fmax"] == 8000
        return offsets


def manifest_relative_paths(work):
    import csv
    with open(work / "manifest.csv", newline="") as source:
        return [row["relative_path"] for row in csv.DictReader(source)]


def check_generated(root):
    """Generated tones and noise: every value against the NumPy reference."""
    rng = np.random.default_rng(7)
    data = root / "generated"
    t = np.arange(int(2.3 * SAMPLE_RATE)) / SAMPLE_RATE
    clips = {
        "fan/train/section_00_source_train_normal_0000_noAttribute.wav":
            0.5 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(len(t)),
        "fan/test/section_00_source_test_anomaly_0001_noAttribute.wav":
            0.3 * np.sin(2 * np.pi * 1234.5 * t) + 0.2 * rng.standard_normal(len(t)),
        "fan/test/section_00_target_test_normal_0002_noAttribute.wav":
            0.8 * rng.standard_normal(9000).clip(-1, 1),
    }
    for relative, samples in clips.items():
        write_wav(data / relative, samples)
    work = root / "work-generated"
    run("index", data, "-o", work)
    run("features", work, "--jobs", "2")
    paths = manifest_relative_paths(work)
    assert len(paths) == 3, paths
    assert sorted(paths) == paths, paths

    offsets = check_layout(work, "log_stft", N_FFT // 2 + 1, paths)
    check_layout(work, "log_mel", 128, paths)
    with h5py.File(work / "features" / "log_stft.h5", "r") as h5:
        for i, relative in enumerate(paths):
            power = reference_power(read_wav(data / relative))
            rows = h5["data"][offsets[i]:offsets[i + 1]]
            assert rows.shape == power.shape, (relative, rows.shape, power.shape)
            difference = np.max(np.abs(rows - power_to_db(power)))
            assert difference < DB_TOLERANCE, (relative, difference)
            energy = h5["energy"][offsets[i]:offsets[i + 1]]
            assert np.allclose(energy, power.sum(axis=1), rtol=1e-4), relative
    print("generated files: layout, attributes and values match the NumPy reference")


FIXTURE_FILES = {
    "dcase2023_toycar_train":
        "dcase2023/ToyCar/train/section_00_source_train_normal_0362_car_C2_spd_31V_mic_1.wav",
    "dcase2023_valve_target_anomaly":
        "dcase2023/valve/test/section_00_target_test_anomaly_0000_pat_03.wav",
}


def check_fixtures(root):
    """Real recordings against librosa 0.10 reference arrays."""
    fixtures = SHARED / "fixtures" / "librosa"
    if not (fixtures / "reference.json").exists():
        print("shared fixtures not found: librosa comparison skipped")
        return
    import json
    reference = json.loads((fixtures / "reference.json").read_text())
    data = root / "real"
    for key, relative in FIXTURE_FILES.items():
        assert reference["files"][key]["file"] == relative, key
        (data / relative).parent.mkdir(parents=True, exist_ok=True)
        (data / relative).symlink_to(SHARED / "data" / relative)
    work = root / "work-real"
    run("index", data, "-o", work)
    run("features", work, "--jobs", "2")
    paths = manifest_relative_paths(work)
    for rep, suffix, dims in (("log_stft", "logstft", 513), ("log_mel", "logmel", 128)):
        offsets = check_layout(work, rep, dims, paths)
        with h5py.File(work / "features" / f"{rep}.h5", "r") as h5:
            for key, relative in FIXTURE_FILES.items():
                i = paths.index(relative)
                rows = h5["data"][offsets[i]:offsets[i + 1]]
                expected = np.load(fixtures / f"{key}_{suffix}_db.npy").T
                assert rows.shape == expected.shape, (key, rep, rows.shape, expected.shape)
                difference = np.max(np.abs(rows - expected))
                assert difference < DB_TOLERANCE, (key, rep, difference)
    print("real recordings: log_stft and log_mel match librosa within 0.01 dB")


def main():
    if not BIN or not Path(BIN).exists():
        print("skipped: UADSCOPE_BIN is not set to the uadscope binary")
        return 77
    with tempfile.TemporaryDirectory(prefix="uadscope-h5py-") as folder:
        root = Path(folder)
        check_generated(root)
        if (SHARED / "data").is_dir():
            check_fixtures(root)
        else:
            print("UADSCOPE_SHARED_DIR not found: librosa comparison skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
