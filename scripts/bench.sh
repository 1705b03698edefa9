#!/usr/bin/env bash
# Runs the whole benchmark (bench/README.md): installs what it needs, builds in build/, starts a
# Prosody (and an ejabberd) and `seshat serve` on 127.0.0.1, measures the floors and the
# scenarios in one run and prints the table; writes it with the pictures (SVG) to
# build/bench-results/ unless --out says elsewhere. Extra arguments go to bench/run.py
# (--runs 5, --idle N, --spread-idle, --servers prosody[,component], --transport long-poll, --json F).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" -j "$(nproc)" --target seshat seshat_loadgen seshat_sqlite_floor
exec /usr/bin/python3 "$here/bench/run.py" --seshat "$here/build/src/app/seshat" \
  --loadgen "$here/build/bench/seshat_loadgen" \
  --sqlite-floor "$here/build/bench/seshat_sqlite_floor" --out "$here/build/bench-results" "$@"
