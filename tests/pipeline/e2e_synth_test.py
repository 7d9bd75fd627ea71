"""End to end on the built-in demo data: synth, run, then a second run that does nothing."""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import e2e_common as e2e  # noqa: E402


def check_scores(work, stdout):
    """The score stage of `run`: metrics, scores folders, score plots and report tables."""
    e2e.check("score:" in stdout, "run printed no score line")
    map_stems = sorted(p.stem for p in (work / "maps").glob("*.h5"))
    for stem in map_stems:
        path = work / "metrics" / f"{stem}.json"
        e2e.check(path.exists(), f"{path} missing after run")
        e2e.check((work / "metrics" / f"{stem}.csv").exists(), f"{stem}.csv missing")
        document = json.loads(path.read_text())
        for key in ("rep", "stack", "scope", "seed", "sample_sizes", "settings", "sep", "dsup",
                    "detectors", "official_scores"):
            e2e.check(key in document, f"{path} lacks '{key}'")
        e2e.check("seed" in document["settings"], f"{path}: settings lack the seed")
        e2e.check({row["space"] for row in document["sep"]} == {"original", "map"},
                  f"{path}: SEP rows do not cover both spaces")
        defined = [row for row in document["sep"] if row["balanced_accuracy"] is not None]
        e2e.check(defined, f"{path}: no defined SEP value")
        for row in defined:
            e2e.check(0.0 <= row["balanced_accuracy"] <= 1.0, f"{path}: SEP {row}")
            e2e.check(row["hinge_slack"] >= 0.0, f"{path}: slack {row}")
        for row in document["dsup"]:
            for key in ("auc", "coverage"):
                e2e.check(row[key] is None or 0.0 <= row[key] <= 1.0, f"{path}: DSUP {row}")
        e2e.check(document["detectors"], f"{path}: no detector rows")
        scores = work / "scores" / document["detectors"][0]["scores"]
        e2e.check((scores / "result.csv").exists(), f"{scores}/result.csv missing")
        plot = work / "plots" / f"{stem}_score-knn-map.png"
        e2e.check(plot.exists(), f"{plot} missing")
    report = (work / "report.html").read_text()
    e2e.check("SEP: separability" in report, "report.html lacks the SEP tables")
    e2e.check("DSUP: discriminative support" in report, "report.html lacks the DSUP tables")
    e2e.check("DCASE metrics: kNN distance" in report, "report.html lacks the detector tables")


def main():
    if not e2e.BIN:
        print("UADSCOPE_BIN not set: run through ctest")
        return e2e.SKIP
    with tempfile.TemporaryDirectory(prefix="uadscope-e2e-synth-") as temp:
        temp = Path(temp)
        data, work = temp / "data", temp / "work"
        e2e.run(["synth", data, "--clips", "4", "--seconds", "4"])
        arguments = ["run", data, "-o", work, "--stack", "1,3", "--format", "png", "-j", "2"]
        first = e2e.run(arguments)
        manifest = e2e.read_manifest(work)
        wavs = sorted(data.rglob("*.wav"))
        e2e.check(len(manifest) == len(wavs), f"{len(manifest)} manifest rows, {len(wavs)} files")
        devices = sorted({row["device"] for row in manifest})
        e2e.check(devices == ["fan", "pump", "valve"], f"devices {devices}")
        maps = e2e.check_workspace(work, ["log_stft", "log_mel"], [1, 3], devices, False)
        e2e.check(maps == 16, f"{maps} maps checked, expected 16")
        e2e.check("Open the report" in first.stdout, "run does not say where the report is")
        check_scores(work, first.stdout)

        # --fit train: training points are fitted, the others placed with transform.
        e2e.run(["map", work, "--rep", "log_mel", "--device", "fan", "--fit", "train"])
        trained = work / "maps" / "log_mel_s1_device-fan-trainfit.h5"
        e2e.check(trained.exists(), f"{trained} missing")
        with e2e.h5py.File(trained, "r") as handle:
            fitted = handle["fitted"][:]
            file_id = handle["file_id"][:]
            e2e.check(e2e.np.isfinite(handle["embedding"][:]).all(), "train fit: non-finite")
        splits = [manifest[i]["split"] for i in file_id]
        e2e.check(all((s == "train") == bool(f) for s, f in zip(splits, fitted)),
                  "train fit: fitted flags differ from the training split")
        e2e.check(0 < fitted.sum() < len(fitted), "train fit: no transformed points")
        e2e.run(["plot", work])
        e2e.run(["report", work])

        before = e2e.snapshot(work)
        second = e2e.run(arguments)
        e2e.check(second.stdout.count("(unchanged)") == 16, "second run recomputed maps")
        e2e.check("0 written" in second.stdout, "second run redrew plots")
        e2e.check("0 files computed" in second.stdout, "second run recomputed features")
        e2e.check(e2e.snapshot(work) == before, "second run changed files in the workspace")
    print("e2e synth: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
