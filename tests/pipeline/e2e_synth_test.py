"""End to end on the built-in demo data: synth, run, then a second run that does nothing."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import e2e_common as e2e  # noqa: E402


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
