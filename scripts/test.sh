#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh), builds Seshat and runs its tests with ctest.
#   scripts/test.sh              every test: unit, integration (Prosody, ejabberd), browser (Chromium)
#   scripts/test.sh --unit       unit tests only
#   scripts/test.sh --sanitize   build in build-asan/ with ASan + UBSan
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build"
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
ctest_args=(--output-on-failure --timeout 300)
for arg in "$@"; do
  case "$arg" in
    # The load generator is a tool, not the product: not built under the sanitizers.
    --sanitize) build="$here/build-asan"; cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DSESHAT_SANITIZE=ON -DSESHAT_BENCH=OFF) ;;
    --unit) ctest_args+=(-L unit) ;;
    *) echo "usage: scripts/test.sh [--unit] [--sanitize]" >&2; exit 2 ;;
  esac
done
"$here/scripts/install-deps.sh"  # idempotent: quick once everything is there
cmake -S "$here" -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest "${ctest_args[@]}" -j "$(nproc)"
