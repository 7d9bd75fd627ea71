"""`uadscope map` rejects invalid UMAP and sampling options as usage errors (exit 2)."""

import os
import subprocess
import sys
import tempfile

BIN = os.environ.get("UADSCOPE_BIN", "")
USAGE = 2

# Each case must fail in option checking, before the stage reads the workspace.
CASES = [
    (["--seed", "-1"], "--seed"),
    (["--n-neighbors", "0"], "n_neighbors"),
    (["--min-dist", "-1"], "min_dist"),
    (["--spread", "0"], "spread"),
    (["--epochs", "-1"], "n_epochs"),
    (["--max-train", "-1"], "--max-train"),
    (["--max-test", "-7"], "--max-test"),
    (["--scope", "global", "--device", "fan"], "--device fan"),
    (["--scope", "device", "--section", "0"], "--section 0"),
    (["--scope", "section", "--section", "-3"], "--section -3"),
    (["--jobs", "-1"], "--jobs -1"),
    (["--seed", "18446744073709551616"], "18446744073709551616"),
    (["--seed", "1.5"], "--seed"),
]


def main():
    if not BIN or not os.path.exists(BIN):
        print("SKIP: UADSCOPE_BIN is not set")
        return 77
    failures = 0
    with tempfile.TemporaryDirectory(prefix="uadscope-map-options-") as work:
        for arguments, name in CASES:
            completed = subprocess.run(
                [BIN, "map", work, *arguments], capture_output=True, text=True
            )
            output = completed.stdout + completed.stderr
            if completed.returncode != USAGE:
                print(f"FAIL: {arguments}: exit {completed.returncode}, expected {USAGE}")
                print(output)
                failures += 1
            elif name not in output:
                print(f"FAIL: {arguments}: the message does not name {name}")
                print(output)
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
