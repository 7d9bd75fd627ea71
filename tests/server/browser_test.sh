#!/usr/bin/env bash
# Browser tests of the explorer: builds a workspace (from the real recordings in
# $UADSCOPE_SHARED_DIR/data when present, generated audio otherwise), starts
# `uadscope serve` on a free loopback port, writes the static HTML export and runs
# web/tests/browser.test.mjs with Playwright and Debian's Chromium.
#
# Environment (set by ctest): UADSCOPE_BIN, UADSCOPE_SOURCE_DIR, UADSCOPE_SHARED_DIR,
# UADSCOPE_BUILD_DIR. Optional: UADSCOPE_SCREENSHOTS (folder for screenshots),
# UADSCOPE_TEST_WORK (reuse this workspace folder, built when empty).
# Exits 77 (skipped) when Chromium, Node.js, the viewer bundle or playwright-core is missing.
set -euo pipefail

SOURCE_DIR="${UADSCOPE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BIN="${UADSCOPE_BIN:?UADSCOPE_BIN must name the uadscope binary}"
WEB="$SOURCE_DIR/web"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

skip() {
    echo "browser_test: skipped: $*"
    exit 77
}
[[ -x "$CHROMIUM" ]] || skip "$CHROMIUM not found (apt-get install chromium)"
command -v node >/dev/null || skip "node not found (apt-get install nodejs npm)"
[[ -f "$WEB/dist/index.html" ]] || skip "viewer bundle not built (cd web && npm ci && npm run build)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core not installed (cd web && npm ci)"
"$BIN" serve --help >/dev/null 2>&1 || skip "$BIN has no serve command"

TEMP="$(mktemp -d "${TMPDIR:-/tmp}/uadscope-browser-XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TEMP"
}
trap cleanup EXIT

WORK="${UADSCOPE_TEST_WORK:-$TEMP/work}"
if [[ ! -f "$WORK/manifest.csv" ]]; then
    data_arguments=()
    if [[ -n "${UADSCOPE_SHARED_DIR:-}" && -d "$UADSCOPE_SHARED_DIR/data/dcase2023" ]]; then
        data_arguments=(--data "$UADSCOPE_SHARED_DIR/data" --points 8000)
    fi
    /usr/bin/python3 "$SOURCE_DIR/tests/server/make_workspace.py" "$WORK" "${data_arguments[@]}"
fi

# Port 0: the server picks a free port and prints its address on the first line.
UADSCOPE_WEB_DIR="$WEB/dist" "$BIN" serve "$WORK" --port 0 >"$TEMP/serve.out" 2>"$TEMP/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do
    URL="$(grep -o 'http://127.0.0.1:[0-9]*/' "$TEMP/serve.out" | head -n 1 || true)"
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
done
if [[ -z "$URL" ]]; then
    echo "browser_test: the server did not start:"
    cat "$TEMP/serve.err"
    exit 1
fi
echo "browser_test: explorer at $URL for $WORK"

EXPORT_HTML=""
if "$BIN" export --help 2>/dev/null | grep -q -- "--html"; then
    EXPORT_HTML="$TEMP/explorer.html"
    UADSCOPE_WEB_DIR="$WEB/dist" "$BIN" export "$WORK" --html "$EXPORT_HTML"
else
    echo "browser_test: \`uadscope export --html\` not available; the exported page is not tested"
fi

status=0
(cd "$WEB" && UADSCOPE_URL="$URL" UADSCOPE_EXPORT_HTML="$EXPORT_HTML" CHROMIUM="$CHROMIUM" \
    node tests/browser.test.mjs) || status=$?

# A graceful stop: SIGTERM ends the server with exit status 0 and a log line.
kill -TERM "$SERVER_PID"
server_status=0
wait "$SERVER_PID" || server_status=$?
SERVER_PID=""
if [[ $server_status -ne 0 ]]; then
    echo "browser_test: the server exited with status $server_status after SIGTERM"
    status=1
fi
if ! grep -q "stopped" "$TEMP/serve.err"; then
    echo "browser_test: the server did not log its stop"
    status=1
fi
exit $status
