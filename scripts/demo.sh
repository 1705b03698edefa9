#!/usr/bin/env bash
# The whole of Seshat on this machine, in one command: installs what is needed, builds, starts a
# local Prosody (127.0.0.1) with a bot and two operator accounts, starts `seshat serve`, and
# prints the URL of the demo page and how to sign in as an operator. Ctrl-C stops everything.
#   scripts/demo.sh [--http-port N] [--xmpp-port N] [--check]
# --check starts everything, checks it is ready, and stops again (used by the tests).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" --target seshat -j "$(nproc)"
exec /usr/bin/python3 "$here/scripts/demo.py" --seshat "$here/build/src/app/seshat" "$@"
