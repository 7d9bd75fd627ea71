"""End-to-end check of `uadscope score` on the real DCASE 2023 valve recordings.

Runs index, features (log_mel), map (device scope) and score in both spaces. The score and
decision files must list every test file in the evaluators' layout. result.csv, the metrics
JSON and CSV must exist with numbers in range (null where undefined), and the score plot
must be a PNG. A second run must rewrite nothing, and `uadscope evaluate` on the written
scores and ground truth must give the same table as the score stage.
"""

import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = os.environ.get("UADSCOPE_BIN")
SHARED = Path(os.environ.get("UADSCOPE_SHARED_DIR", ""))
VALVE = SHARED / "data" / "dcase2023" / "valve"
MAP = "log_mel_s1_device-valve"


def run(*args, expect=0):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if result.returncode != expect:
        sys.exit(f"{' '.join(map(str, args))} exited {result.returncode}, expected {expect}\n"
                 f"{result.stdout}\n{result.stderr}")
    return result


def check(condition, message):
    if not condition:
        sys.exit(message)


def in_unit_range(value):
    return value is None or (isinstance(value, float | int) and 0.0 <= value <= 1.0)


def read_rows(path):
    with open(path, newline="") as f:
        return [row for row in csv.reader(f) if row]


def snapshot(folders):
    """Modification time of every file below the folders."""
    times = {}
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                times[path] = path.stat().st_mtime_ns
    return times


def main():
    if not BIN:
        sys.exit("UADSCOPE_BIN is not set")
    if not VALVE.is_dir():
        print(f"skipped: {VALVE} not found (set UADSCOPE_SHARED_DIR)")
        return 77
    test_files = sorted(p.name for p in (VALVE / "test").glob("*.wav"))
    check(len(test_files) >= 100, f"expected the 100 valve test files, found {len(test_files)}")

    with tempfile.TemporaryDirectory(prefix="uadscope-score-") as temp:
        work = Path(temp) / "work"
        run("index", VALVE, "-o", work)
        run("features", work, "--rep", "log_mel", "-j", "2")
        # A small sample and few epochs keep the UMAP step short; the metrics use the sample.
        run("map", work, "--rep", "log_mel", "--stack", "1", "--scope", "device",
            "--max-train", "300", "--max-test", "600", "--epochs", "100", "-j", "2")
        first = run("score", work, "--map", MAP, "--space", "both", "-j", "2")

        scores = work / "scores"
        names = {"knn_log_mel_s1_original", "knn_log_mel_s1_map-device-valve"}
        check(names <= {p.name for p in scores.iterdir()},
              f"expected score folders {names}, found {sorted(p.name for p in scores.iterdir())}")
        for name in sorted(names):
            folder = scores / name
            score_rows = read_rows(folder / "anomaly_score_valve_section_00_test.csv")
            check([row[0] for row in score_rows] == test_files,
                  f"{name}: the score file does not list every test file in name order")
            check(all(math.isfinite(float(row[1])) for row in score_rows),
                  f"{name}: non-finite score")
            decisions = read_rows(folder / "decision_result_valve_section_00_test.csv")
            check([row[0] for row in decisions] == test_files, f"{name}: decision file rows")
            check({row[1] for row in decisions} <= {"0", "1"}, f"{name}: decision values")
            table = (folder / "result.csv").read_text()
            check("valve" in table and "AUC" in table, f"{name}: result.csv lacks the table")
            result = json.loads((folder / "result.json").read_text())
            check(result, f"{name}: empty result.json")

            # The official evaluator's input: `uadscope evaluate` must give the same table.
            out = Path(temp) / "evaluated"
            run("evaluate", folder, "--ground-truth", work / "ground_truth" / name, "-o", out,
                "--name", name)
            evaluated = (out / f"{name}_result.csv").read_text()
            check(evaluated == table, f"{name}: `uadscope evaluate` table differs from result.csv")

        metrics = json.loads((work / "metrics" / f"{MAP}.json").read_text())
        for key in ("map", "rep", "stack", "scope", "seed", "sample_sizes", "sep", "dsup",
                    "detectors", "official_scores", "duplicates"):
            check(key in metrics, f"metrics JSON lacks '{key}'")
        check(metrics["rep"] == "log_mel" and metrics["stack"] == 1, "metrics JSON: rep or stack")
        check(metrics["sample_sizes"].get("valve/00/source/train/normal") == 300,
              f"sample sizes: {metrics['sample_sizes']}")
        keys = {(row["domain"], row["space"]) for row in metrics["sep"]}
        check(keys == {(d, s) for d in ("source", "target") for s in ("original", "map")},
              f"SEP rows: {keys}")
        for row in metrics["sep"]:
            check(row["normal_files"] == 25 and row["anomaly_files"] == 25, f"SEP files: {row}")
            check(row["balanced_accuracy"] is not None, f"SEP undefined: {row}")
            check(in_unit_range(row["balanced_accuracy"]), f"SEP out of range: {row}")
            check(row["hinge_slack"] >= 0, f"negative hinge slack: {row}")
        check(len(metrics["dsup"]) == 4, f"DSUP rows: {metrics['dsup']}")
        for row in metrics["dsup"]:
            check(in_unit_range(row["auc"]) and row["auc"] is not None, f"DSUP AUC: {row}")
            check(in_unit_range(row["coverage"]) and row["coverage"] is not None,
                  f"DSUP coverage: {row}")
            check(row["train_files"] == 2, f"DSUP training files: {row}")
        detector_rows = metrics["detectors"]
        check(len(detector_rows) == 4, f"detector rows: {detector_rows}")
        for row in detector_rows:
            for key in ("auc", "pauc", "precision", "recall", "f1"):
                check(in_unit_range(row[key]) and row[key] is not None, f"{key}: {row}")
        metrics_csv = read_rows(work / "metrics" / f"{MAP}.csv")
        check(metrics_csv[0][:4] == ["device", "section", "domain", "space"], "metrics CSV header")
        check(len(metrics_csv) == 5, f"metrics CSV rows: {metrics_csv}")

        for space in ("original", "map"):
            plot = work / "plots" / f"{MAP}_score-knn-{space}.png"
            check(plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{plot} is not a PNG")

        outputs = [scores, work / "metrics", work / "plots", work / "ground_truth"]
        before = snapshot(outputs)
        second = run("score", work, "--map", MAP, "--space", "both", "-j", "2")
        check(second.stdout.count("(unchanged)") == 3,
              f"second run recomputed something:\n{second.stdout}\n{second.stderr}")
        check(snapshot(outputs) == before, "second run rewrote files")

        # LOF with the maximum per file writes a second set beside the first.
        run("score", work, "--map", MAP, "--space", "map", "--detector", "lof", "--aggregate",
            "max", "--no-metrics", "-j", "2")
        metrics = json.loads((work / "metrics" / f"{MAP}.json").read_text())
        check({row["detector"] for row in metrics["detectors"]} == {"knn", "lof"},
              "metrics JSON lost the kNN rows or lacks the LOF rows")
        print(first.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
