"""End-to-end test of `uadscope evaluate` on the DCASE evaluator fixtures.

Runs the CLI on every fixture and compares the table it writes with the official
evaluator's result file byte for byte, with two exceptions. The 2021 evaluator splits the
per-machine "source/target harmonic mean" rows wrongly for five machine types, so those
lines are skipped there. The ci95 line is compared to 1e-6 relative, because the
evaluator's Student t quantile (scipy 1.10) is accurate to about 1e-12 only. Then checks
exit codes and messages for bad input.

Environment: UADSCOPE_BIN (the CLI), UADSCOPE_SHARED_DIR (fixtures); exits 77 to skip.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

CASES = [
    "real21_baseline_ae_5mt", "real21_baseline_ae_7mt", "real23_baseline_ae_5mt",
    "real23_baseline_ae_7mt", "synth21_a_all_equal", "synth21_b_ties_shuffled",
    "synth21_c_perfect", "synth21_d_inverted", "synth21_e_near_ties_1e-12",
    "synth23_a_all_equal", "synth23_b_ties_shuffled", "synth23_c_perfect",
    "synth23_d_inverted", "synth23_e_near_ties_1e-12", "synth23_i_single_machine",
]
CI95_RELATIVE_TOLERANCE = 1e-6

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(binary, *arguments):
    return subprocess.run([binary, "evaluate", *map(str, arguments)],
                          capture_output=True, text=True, env={**os.environ, "UADSCOPE_LOG": "info"})


def compare_tables(case, actual, expected, skip_split_lines):
    actual_lines = actual.splitlines()
    expected_lines = expected.splitlines()
    check(len(actual_lines) == len(expected_lines),
          f"{case}: {len(actual_lines)} lines, evaluator {len(expected_lines)}")
    for number, (mine, theirs) in enumerate(zip(actual_lines, expected_lines), start=1):
        if skip_split_lines and theirs.startswith(("source harmonic mean,", "target harmonic mean,")):
            continue
        if theirs.startswith("official score ci95,"):
            mine_value = float(mine.split(",")[2])
            their_value = float(theirs.split(",")[2])
            check(abs(mine_value - their_value) <= CI95_RELATIVE_TOLERANCE * abs(their_value),
                  f"{case} line {number}: ci95 {mine_value!r}, evaluator {their_value!r}")
            continue
        check(mine == theirs, f"{case} line {number}: {mine!r} != evaluator {theirs!r}")
    check(actual.endswith("\n\n") and expected.endswith("\n\n"), f"{case}: table must end with a blank line")


def test_fixtures(binary, fixtures, work):
    for case in CASES:
        folder = fixtures / case
        expected = json.loads((folder / "expected.json").read_text())
        result_file = folder / expected["result_file"]
        system = result_file.name[: -len("_result.csv")]
        output = work / case
        completed = run(binary, folder / "scores", "--ground-truth", folder / "ground_truth",
                        "-o", output, "--name", system)
        check(completed.returncode == 0, f"{case}: exit {completed.returncode}: {completed.stderr}")
        table = output / f"{system}_result.csv"
        if not table.exists():
            check(False, f"{case}: {table} not written")
            continue
        compare_tables(case, table.read_text(), result_file.read_text(),
                       (folder / "supplementary_not_from_evaluator.json").exists())
        summary = json.loads((output / f"{system}_result.json").read_text())
        check(summary["complete"] is True, f"{case}: JSON says incomplete")
        check(summary["official score"] == expected["result"]["official_score"],
              f"{case}: JSON official score {summary['official score']!r}")
        check(f"official score: " in completed.stdout, f"{case}: no summary on stdout")
    # The 2021 evaluator's faulty split is announced when it applies.
    completed = run(binary, fixtures / "real21_baseline_ae_5mt" / "scores", "--ground-truth",
                    fixtures / "real21_baseline_ae_5mt" / "ground_truth", "-o", work / "split")
    check("floor(5 machine types / 2) = 2 rows" in completed.stderr,
          f"5 machine types: no note on the evaluator's split: {completed.stderr}")


def test_edition_override(binary, fixtures, work):
    # 2021-layout scores scored with the 2022 to 2025 definitions equal the 2023 evaluator's
    # table, except the ci95 line, which --no-jackknife leaves empty.
    source = fixtures / "real21_baseline_ae_7mt"
    completed = run(binary, source / "scores", "--ground-truth", source / "ground_truth",
                    "--edition", "2024", "--no-jackknife", "-o", work / "override",
                    "--name", "baseline_ae")
    check(completed.returncode == 0, f"edition override: exit {completed.returncode}: {completed.stderr}")
    actual = (work / "override" / "baseline_ae_result.csv").read_text().splitlines()
    expected = (fixtures / "real23_baseline_ae_7mt" / "evaluator_output" / "teams_result" /
                "baseline_ae_result.csv").read_text().splitlines()
    check(len(actual) == len(expected), "edition override: line count")
    for mine, theirs in zip(actual, expected):
        if theirs.startswith("official score ci95,"):
            check(mine == "official score ci95,,", f"edition override: {mine!r}")
        else:
            check(mine == theirs, f"edition override: {mine!r} != {theirs!r}")


def test_bad_input(binary, fixtures, work):
    case = work / "bad"
    shutil.copytree(fixtures / "synth21_b_ties_shuffled", case)
    # The fixtures are read-only; the copy must be writable to edit and delete in it.
    for path in [case, *case.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    missing = case / "scores" / "anomaly_score_pump_section_00_target_test.csv"
    missing.unlink()
    broken = case / "scores" / "anomaly_score_fan_section_00_source_test.csv"
    lines = broken.read_text().splitlines()
    lines[4] = "section_00_source_test_0006.wav;0"
    broken.write_text("\n".join(lines) + "\n")
    completed = run(binary, case / "scores", "--ground-truth", case / "ground_truth", "-o",
                    case / "out")
    check(completed.returncode == 3, f"bad input: exit {completed.returncode}, expected 3 (partial)")
    check(str(missing) in completed.stderr and "is missing" in completed.stderr,
          f"bad input: missing file not named: {completed.stderr}")
    check(f"{broken}:5:" in completed.stderr, f"bad input: malformed line not named: {completed.stderr}")
    table = (case / "out" / "scores_result.csv").read_text()
    check("00,source,,,,,\n" in table, f"bad input: undefined row not empty:\n{table}")
    check("\nofficial score,,\n" in table, "bad input: official score not empty")
    summary = json.loads((case / "out" / "scores_result.json").read_text())
    check(summary["complete"] is False and len(summary["unavailable"]) == 2,
          f"bad input: JSON unavailable parts {summary['unavailable']}")

    empty = work / "empty"
    empty.mkdir()
    completed = run(binary, case / "scores", "--ground-truth", empty)
    check(completed.returncode == 1 and "contains no ground-truth files" in completed.stderr,
          f"no ground truth: exit {completed.returncode}: {completed.stderr}")
    completed = run(binary, case / "scores")
    check(completed.returncode == 2, f"missing --ground-truth: exit {completed.returncode}")
    completed = run(binary, case / "scores", "--ground-truth", case / "ground_truth",
                    "--edition", "2020")
    check(completed.returncode == 2 and "2020" in completed.stderr,
          f"invalid edition: exit {completed.returncode}: {completed.stderr}")


def main():
    binary = os.environ.get("UADSCOPE_BIN")
    shared = os.environ.get("UADSCOPE_SHARED_DIR")
    if not binary or not pathlib.Path(binary).exists():
        print("UADSCOPE_BIN not set or missing: skipped")
        return 77
    fixtures = pathlib.Path(shared or "") / "fixtures" / "dcase_eval"
    if not fixtures.is_dir():
        print(f"{fixtures} not found (set UADSCOPE_SHARED_DIR): skipped")
        return 77
    with tempfile.TemporaryDirectory(prefix="uadscope-evaluate-") as temporary:
        work = pathlib.Path(temporary)
        test_fixtures(binary, fixtures, work)
        test_edition_override(binary, fixtures, work)
        test_bad_input(binary, fixtures, work)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
