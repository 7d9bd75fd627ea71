"""End to end on every real recording of the shared data, with one folder as external data."""

import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import e2e_common as e2e  # noqa: E402


def check_valve_metrics(work):
    """SEP and DSUP of the 100 labelled valve test files, defined in both spaces."""
    for rep in ("log_stft", "log_mel"):
        path = work / "metrics" / f"{rep}_s5_device-valve-dcase2022.json"
        e2e.check(path.exists(), f"{path} missing")
        document = json.loads(path.read_text())
        sep = {(row["domain"], row["space"]): row for row in document["sep"]}
        dsup = {(row["domain"], row["space"]): row for row in document["dsup"]}
        for key in [(d, s) for d in ("source", "target") for s in ("original", "map")]:
            e2e.check(key in sep and key in dsup, f"{path}: no SEP or DSUP row {key}")
            row = sep[key]
            e2e.check(row["normal_files"] == 25 and row["anomaly_files"] == 25,
                      f"{path}: SEP files {row}")
            e2e.check(row["balanced_accuracy"] is not None and row["train_hinge_slack"] is not None,
                      f"{path}: SEP undefined {row}")
            e2e.check(dsup[key]["auc"] is not None and dsup[key]["coverage"] is not None,
                      f"{path}: DSUP undefined {dsup[key]}")
        official = [
            row for row in document["official_scores"] if row["official_score"] is not None
        ]
        e2e.check(official, f"{path}: no official score of the valve detector")


def main():
    if not e2e.BIN:
        print("UADSCOPE_BIN not set: run through ctest")
        return e2e.SKIP
    shared = Path(os.environ.get("UADSCOPE_SHARED_DIR", ""))
    if not (shared / "data").is_dir():
        print(f"real-data test skipped: {shared}/data not found (set UADSCOPE_SHARED_DIR)")
        return e2e.SKIP
    data = shared / "data"
    with tempfile.TemporaryDirectory(prefix="uadscope-e2e-shared-") as temp:
        work = Path(temp) / "work"
        roots = [data / "dcase2020", data / "dcase2021", data / "dcase2023", data / "mimii"]
        arguments = ["run", *roots, "--external", f"odd={data / 'odd'}", "-o", work,
                     "--format", "png", "-j", "2"]
        e2e.run(arguments)
        manifest = e2e.read_manifest(work)
        # Counts from the shared data's README: 195 recordings in all.
        e2e.check(len(manifest) == 195, f"{len(manifest)} manifest rows, expected 195")
        by_scheme = Counter(row["scheme"] for row in manifest)
        e2e.check(by_scheme["external"] == sum(1 for _ in (data / "odd").rglob("*.wav")),
                  f"external rows {by_scheme['external']}")
        e2e.check(by_scheme["mimii"] == 6, f"mimii rows {by_scheme['mimii']}")
        e2e.check(by_scheme["dcase2021"] == 1, f"dcase2021 rows {by_scheme['dcase2021']}")
        e2e.check(sum(1 for r in manifest if r["status"] != "ok") == 0, "unreadable files")

        map_names = sorted(p.stem for p in (work / "maps").glob("log_mel_s1_device-*.h5"))
        devices = [name.split("_device-")[1] for name in map_names]
        e2e.check(len(devices) >= 13, f"only {len(devices)} device maps: {devices}")
        maps = e2e.check_workspace(work, ["log_stft", "log_mel"], [1, 5], devices, True)
        print(f"{maps} maps checked")
        check_valve_metrics(work)

        before = e2e.snapshot(work)
        second = e2e.run(arguments)
        e2e.check("0 files computed" in second.stdout, "second run recomputed features")
        e2e.check(e2e.snapshot(work) == before, "second run changed files in the workspace")
    print("e2e shared: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
