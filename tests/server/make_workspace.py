"""Builds a small explorer workspace for the browser tests.

With --data, the recordings of DATA/dcase2023 are indexed (by `uadscope index` when --bin is
given, else here) and their log-mel features computed (by `uadscope features` when --bin is
given, else here with numpy). Without --data, synthetic WAV files are written first.

Maps are made here, not by `uadscope map`, so that the browser tests do not depend on the UMAP
stage: a seeded sample of frames, projected to 2-D by PCA, with the exact kNN graph of the
feature vectors. Scores come from a kNN detector: the mean distance of a test file's frames to
the nearest training frames of its machine type. Everything is seeded and deterministic.

usage: make_workspace.py WORK [--data DIR] [--bin UADSCOPE] [--points N]
"""

import argparse
import csv
import os
import re
import subprocess
import sys
import wave

import h5py
import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

SAMPLE_RATE = 16000
N_FFT = 1024
HOP_LENGTH = 512
N_BANDS = 64
K = 10
SEED = 20210721

MANIFEST_COLUMNS = [
    "file_id", "path", "relative_path", "dataset", "scheme", "device", "section", "domain",
    "split", "label", "index", "attributes", "external", "sample_rate", "channels", "frames",
    "format", "status", "file_stamp",
]
DCASE_NAME = re.compile(
    r"section_(\d+)_(source|target)_(train|test)_(normal|anomaly)_(\d+)(?:_(.*))?\.wav")


def run_cli(binary, *arguments):
    """Runs a uadscope command; returns False (and prints why) when it fails."""
    if not binary:
        return False
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"make_workspace: `uadscope {' '.join(arguments)}` failed, using the Python "
              f"fallback: {result.stderr.strip()[-400:]}", file=sys.stderr)
        return False
    return True


def parse_attributes(text):
    """'car_C2_spd_34V' -> 'car=C2;spd=34V' (DCASE 2022+ key/value pairs)."""
    if not text:
        return ""
    parts = text.split("_")
    return ";".join(f"{parts[i]}={parts[i + 1]}" for i in range(0, len(parts) - 1, 2))


def write_manifest(work, rows):
    os.makedirs(work, exist_ok=True)
    temporary = os.path.join(work, "manifest.csv.tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        for file_id, row in enumerate(rows):
            writer.writerow([file_id] + [row[column] for column in MANIFEST_COLUMNS[1:]])
    os.replace(temporary, os.path.join(work, "manifest.csv"))


def manifest_row(root, path, dataset):
    relative = os.path.relpath(path, root)
    device = relative.split(os.sep)[0]
    match = DCASE_NAME.fullmatch(os.path.basename(path))
    with wave.open(path) as handle:
        rate, channels, frames = handle.getframerate(), handle.getnchannels(), handle.getnframes()
    return {
        "path": os.path.abspath(path), "relative_path": relative.replace(os.sep, "/"),
        "dataset": dataset, "scheme": "dcase2022", "device": device,
        "section": match.group(1) if match else "",
        "domain": match.group(2) if match else "unknown",
        "split": match.group(3) if match else "unknown",
        "label": match.group(4) if match else "unknown",
        "index": str(int(match.group(5))) if match else "",
        "attributes": parse_attributes(match.group(6)) if match else "",
        "external": "0", "sample_rate": str(rate), "channels": str(channels),
        "frames": str(frames), "format": "WAV PCM 16-bit", "status": "ok", "file_stamp": "",
    }


def synthesize(root):
    """Writes 2-second WAV files of three machine types: tones plus noise, anomalies with an
    extra partial."""
    rng = np.random.default_rng(SEED)
    devices = {"fan": 220.0, "pump": 440.0, "valve": 660.0}
    t = np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE
    for device, base in devices.items():
        for split, label, count in [("train", "normal", 6), ("test", "normal", 3),
                                    ("test", "anomaly", 3)]:
            for index in range(count):
                domain = "source" if index % 3 else "target"
                shift = 1.0 if domain == "source" else 1.15
                signal = 0.3 * np.sin(2 * np.pi * base * shift * t)
                signal += 0.05 * rng.standard_normal(t.size)
                if label == "anomaly":
                    signal += 0.2 * np.sin(2 * np.pi * base * 3.3 * t) * (t > 0.8)
                name = (f"section_00_{domain}_{split}_{label}_{index:04d}_"
                        f"vel_{index}.wav")
                folder = os.path.join(root, device, split)
                os.makedirs(folder, exist_ok=True)
                with wave.open(os.path.join(folder, name), "wb") as handle:
                    handle.setnchannels(1)
                    handle.setsampwidth(2)
                    handle.setframerate(SAMPLE_RATE)
                    handle.writeframes((np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes())


def read_wav(path):
    with wave.open(path) as handle:
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
        channels = handle.getnchannels()
    samples = data.reshape(-1, channels).mean(axis=1).astype(np.float64) / 32768
    samples -= samples.mean()
    peak = np.abs(samples).max()
    return samples / peak if peak > 0 else samples


def log_band_features(samples):
    """Centred STFT (hop 512, n_fft 1024, Hann), power pooled into 64 linear bands, in dB."""
    padded = np.pad(samples, N_FFT // 2)
    frames = 1 + len(samples) // HOP_LENGTH
    window = np.hanning(N_FFT + 1)[:-1]
    index = np.arange(N_FFT)[None, :] + HOP_LENGTH * np.arange(frames)[:, None]
    index = np.minimum(index, len(padded) - 1)
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    bands = power[:, :512].reshape(frames, N_BANDS, -1).sum(axis=2)
    return (10 * np.log10(np.maximum(bands, 1e-10))).astype(np.float32)


def load_features(work, rows, binary):
    """Per-file frame matrices: from WORK/features/log_mel.h5 when `uadscope features` ran,
    else computed here."""
    if run_cli(binary, "features", work, "--rep", "log_mel"):
        with h5py.File(os.path.join(work, "features", "log_mel.h5"), "r") as handle:
            data = handle["data"][:]
            offsets = handle["file_offsets"][:]
        return "log_mel", [data[offsets[i]:offsets[i + 1]] for i in range(len(rows))]
    return "log_band", [log_band_features(read_wav(row["path"])) for row in rows]


def stacked(frames, stack):
    if len(frames) < stack:
        return np.zeros((0, frames.shape[1] * stack), dtype=np.float32)
    return np.concatenate([frames[i:len(frames) - stack + 1 + i] for i in range(stack)], axis=1)


def write_map(work, rep, stack, rows, features, max_points):
    rng = np.random.default_rng(SEED + stack)
    vectors, file_ids, frame_ids = [], [], []
    for file_id, frames in enumerate(features):
        block = stacked(frames, stack)
        vectors.append(block)
        file_ids.append(np.full(len(block), file_id, dtype=np.int32))
        frame_ids.append(np.arange(len(block), dtype=np.int32))
    vectors = np.concatenate(vectors)
    file_ids = np.concatenate(file_ids)
    frame_ids = np.concatenate(frame_ids)
    if len(vectors) > max_points:
        keep = np.sort(rng.choice(len(vectors), max_points, replace=False))
        vectors, file_ids, frame_ids = vectors[keep], file_ids[keep], frame_ids[keep]
    embedding = PCA(n_components=2, random_state=SEED).fit_transform(vectors)
    distances, indices = NearestNeighbors(n_neighbors=K + 1).fit(vectors).kneighbors(vectors)
    os.makedirs(os.path.join(work, "maps"), exist_ok=True)
    name = f"{rep}_s{stack}_global"
    temporary = os.path.join(work, "maps", name + ".h5.tmp")
    with h5py.File(temporary, "w") as handle:
        handle["embedding"] = embedding.astype(np.float32)
        handle["file_id"] = file_ids
        handle["frame"] = frame_ids
        handle["fitted"] = np.ones(len(file_ids), dtype=np.uint8)
        handle["knn_indices"] = indices[:, 1:].astype(np.int32)
        handle["knn_distances"] = distances[:, 1:].astype(np.float32)
        for key, value in {"rep": rep, "scope": "global", "fit": "joint",
                           "method": "pca (test workspace)"}.items():
            handle.attrs[key] = value
        for key, value in {"stack": stack, "hop_length": HOP_LENGTH, "n_fft": N_FFT,
                           "sample_rate": SAMPLE_RATE, "seed": SEED, "n_neighbors": K}.items():
            handle.attrs[key] = np.float64(value)
    os.replace(temporary, os.path.join(work, "maps", name + ".h5"))
    return len(file_ids)


def write_scores(work, rows, features):
    """kNN detector per machine type: mean distance of each test frame to its nearest
    training frame."""
    folder = os.path.join(work, "scores")
    os.makedirs(folder, exist_ok=True)
    tables = {}
    for device in sorted({row["device"] for row in rows}):
        train = [features[i] for i, row in enumerate(rows)
                 if row["device"] == device and row["split"] == "train"]
        if not train:
            continue
        search = NearestNeighbors(n_neighbors=1).fit(np.concatenate(train))
        for i, row in enumerate(rows):
            if row["device"] == device and row["split"] == "test":
                score = float(search.kneighbors(features[i])[0].mean())
                key = (device, row["section"] or "00")
                tables.setdefault(key, []).append((os.path.basename(row["path"]), score))
    for (device, section), entries in tables.items():
        path = os.path.join(folder, f"anomaly_score_{device}_section_{section}_test.csv")
        with open(path + ".tmp", "w", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(entries)
        os.replace(path + ".tmp", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--data", help="DCASE data folder with dcase2023/ inside")
    parser.add_argument("--bin", help="uadscope binary for the index and features stages")
    parser.add_argument("--points", type=int, default=20000, help="points per map")
    arguments = parser.parse_args()
    work = os.path.abspath(arguments.work)
    os.makedirs(work, exist_ok=True)

    if arguments.data:
        root = os.path.join(arguments.data, "dcase2023")
        dataset = "dcase2023"
    else:
        root = os.path.join(work, "audio")
        dataset = "audio"
        synthesize(root)
    if not run_cli(arguments.bin, "index", root, "-o", work):
        paths = sorted(os.path.join(folder, name) for folder, _, names in os.walk(root)
                       for name in names if name.endswith(".wav"))
        write_manifest(work, [manifest_row(root, path, dataset) for path in paths])
    with open(os.path.join(work, "manifest.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))

    rep, features = load_features(work, rows, arguments.bin)
    for stack in (1, 5):
        count = write_map(work, rep, stack, rows, features, arguments.points)
        print(f"make_workspace: map {rep}_s{stack}_global with {count} points")
    write_scores(work, rows, features)
    print(f"make_workspace: {len(rows)} files in {work}")


if __name__ == "__main__":
    main()
