"""Shared checks of the end-to-end tests: run `uadscope run` and verify the workspace."""

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import h5py
import numpy as np

SKIP = 77
BIN = os.environ.get("UADSCOPE_BIN", "")

# Sampling caps per group that `uadscope run` uses by default (the 2021 paper's).
DEVICE_CAPS = (10000, 20000)
GLOBAL_CAPS = (1000, 2000)


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(arguments, expect_codes=(0,)):
    print("$", " ".join(str(a) for a in arguments), flush=True)
    completed = subprocess.run([BIN, *map(str, arguments)], capture_output=True, text=True)
    if completed.returncode not in expect_codes:
        print(completed.stdout)
        print(completed.stderr)
        fail(f"exit code {completed.returncode}, expected one of {expect_codes}")
    return completed


def read_manifest(work):
    with open(work / "manifest.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def group_of(row):
    if row["external"] == "1":
        return "external/" + row["dataset"]
    return "/".join(row[c] for c in ("device", "section", "domain", "split", "label"))


def expected_points(manifest, offsets, stack, caps, in_scope):
    """Points a map must hold: per group, min(cap, vectors available)."""
    available = defaultdict(int)
    is_train = {}
    for row in manifest:
        if not in_scope(row):
            continue
        file_id = int(row["file_id"])
        frames = int(offsets[file_id + 1] - offsets[file_id])
        group = group_of(row)
        available[group] += max(0, frames - stack + 1)
        is_train[group] = row["external"] == "0" and row["split"] == "train"
    total = 0
    for group, count in available.items():
        cap = caps[0] if is_train[group] else caps[1]
        total += count if cap == 0 else min(cap, count)
    return total


def check_workspace(work, reps, stacks, expected_devices, with_external):
    """Checks that every output exists and is readable, and that map sizes follow the caps."""
    manifest = read_manifest(work)
    check((work / "report.html").exists(), "report.html missing")
    report = (work / "report.html").read_text()
    maps_seen = 0
    for rep in reps:
        path = work / "features" / f"{rep}.h5"
        check(path.exists(), f"{path} missing")
        with h5py.File(path, "r") as features:
            offsets = features["file_offsets"][:]
            check(len(offsets) == len(manifest) + 1, f"{path}: offsets do not match manifest")
            data = features["data"]
            check(data.shape[0] == offsets[-1], f"{path}: data rows differ from offsets")
            check(np.isfinite(data[: min(5000, data.shape[0])]).all(), f"{path}: non-finite")
        for stack in stacks:
            global_map = work / "maps" / f"{rep}_s{stack}_global.h5"
            names = [global_map] + [
                work / "maps" / f"{rep}_s{stack}_device-{d}.h5" for d in expected_devices
            ]
            for map_path in names:
                check(map_path.exists(), f"{map_path} missing")
                with h5py.File(map_path, "r") as handle:
                    embedding = handle["embedding"][:]
                    file_id = handle["file_id"][:]
                    frame = handle["frame"][:]
                    attrs = dict(handle.attrs)
                check(np.isfinite(embedding).all(), f"{map_path}: non-finite coordinates")
                check(int(attrs["stack"]) == stack, f"{map_path}: stack attribute")
                check("seed" in attrs and "trustworthiness" in attrs, f"{map_path}: attributes")
                check(0.5 < float(attrs["trustworthiness"]) <= 1.0, f"{map_path}: trustworthiness")
                frames_of = offsets[file_id + 1] - offsets[file_id]
                check((frame + stack <= frames_of).all(), f"{map_path}: stack beyond file end")
                if map_path == global_map:
                    caps = GLOBAL_CAPS
                    scope = lambda row: row["external"] == "0" or with_external
                else:
                    caps = DEVICE_CAPS
                    rows = [manifest[i] for i in set(file_id.tolist())]
                    devices = {r["device"] for r in rows if r["external"] == "0"}
                    schemes = {r["scheme"] for r in rows if r["external"] == "0"}
                    check(len(devices) == 1 and len(schemes) == 1,
                          f"{map_path}: mixes devices {devices} or schemes {schemes}")
                    the_device, the_scheme = devices.pop(), schemes.pop()
                    scope = lambda row: (row["external"] == "1" and with_external) or (
                        row["device"] == the_device and row["scheme"] == the_scheme
                        and row["external"] == "0")
                want = expected_points(manifest, offsets, stack, caps, scope)
                check(len(file_id) == want,
                      f"{map_path}: {len(file_id)} points, expected {want} from the caps")
                check(map_path.stem in report, f"report.html does not list {map_path.stem}")
                plots = list((work / "plots").glob(map_path.stem + "_*.png"))
                check(plots, f"no plots for {map_path.stem}")
                for plot in plots:
                    check(plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{plot} is not a PNG")
                maps_seen += 1
    return maps_seen


def snapshot(work):
    """Modification times of every output file, to prove that a second run writes nothing."""
    return {
        str(p.relative_to(work)): p.stat().st_mtime_ns
        for p in work.rglob("*")
        if p.is_file()
    }
