#!/usr/bin/env bash
# End-to-end test of `uadscope synth`: exit codes for invalid options, a small dataset,
# a re-run that writes nothing, and `uadscope index` naming every file as DCASE 2021.
set -euo pipefail

if [[ -z "${UADSCOPE_BIN:-}" || ! -x "${UADSCOPE_BIN}" ]]; then
    echo "UADSCOPE_BIN is not set to the uadscope executable: test skipped"
    exit 77
fi

folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

expect_usage_error() {
    local status=0
    "$UADSCOPE_BIN" synth "$@" >"$folder/out.txt" 2>&1 || status=$?
    [[ $status -eq 2 ]] || fail "synth $* exited with $status, expected 2: $(cat "$folder/out.txt")"
}

expect_usage_error "$folder/bad" --clips 0
expect_usage_error "$folder/bad" --seconds 0.5
expect_usage_error "$folder/bad" --machines fan,drill
expect_usage_error "$folder/bad" --machines fan,fan
expect_usage_error
[[ ! -e "$folder/bad" ]] || fail "an invalid run created its output folder"

data="$folder/demo"
"$UADSCOPE_BIN" synth "$data" --clips 1 --seconds 1 --machines valve,fan --seed 3 \
    >"$folder/first.txt" 2>"$folder/first.log" || fail "synth failed: $(cat "$folder/first.log")"
grep -q "36 files in $data (36 written, 0 unchanged, 0 failed, 0 stale removed)" \
    "$folder/first.txt" || fail "unexpected summary: $(cat "$folder/first.txt")"
wav_count=$(find "$data" -name '*.wav' | wc -l)
[[ $wav_count -eq 36 ]] || fail "expected 36 WAV files, found $wav_count"
[[ ! -e "$data/pump" ]] || fail "pump folder written although not requested"
/usr/bin/python3 - "$data/synth.json" <<'EOF' || fail "synth.json does not record the run"
import json, sys
manifest = json.load(open(sys.argv[1]))
assert manifest["seed"] == 3, manifest["seed"]
assert manifest["machines"] == ["valve", "fan"], manifest["machines"]
assert len(manifest["files"]) == 36
EOF

"$UADSCOPE_BIN" synth "$data" --clips 1 --seconds 1 --machines valve,fan --seed 3 \
    >"$folder/second.txt" 2>/dev/null || fail "second synth run failed"
grep -q "(0 written, 36 unchanged, 0 failed, 0 stale removed)" "$folder/second.txt" ||
    fail "second run rewrote files: $(cat "$folder/second.txt")"

# The project's own index must name every file with the DCASE 2021 scheme.
work="$folder/work"
"$UADSCOPE_BIN" index "$data" -o "$work" >/dev/null 2>"$folder/index.log" ||
    fail "index failed: $(cat "$folder/index.log")"
/usr/bin/python3 - "$work" <<'EOF' || fail "index did not name every synthetic file as DCASE 2021"
import csv, os, sys
work = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(work, "manifest.csv"))))
assert len(rows) == 36, len(rows)
for row in rows:
    assert row["scheme"] == "dcase2021", row
    assert row["attributes"].startswith("model="), row
skipped = list(csv.DictReader(open(os.path.join(work, "skipped.csv"))))
assert not skipped, skipped
EOF
echo "synth CLI: ok"
