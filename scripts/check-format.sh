#!/usr/bin/env bash
# Fails when any C++ file of the project differs from clang-format's output (.clang-format).
set -euo pipefail
CLANG_FORMAT="${1:-clang-format}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mapfile -t files < <(find src tests bench -name '*.cpp' -o -name '*.h' | sort)
"$CLANG_FORMAT" --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files checked"
