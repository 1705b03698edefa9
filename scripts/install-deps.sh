#!/usr/bin/env bash
# Installs every Debian and npm package Seshat needs to build, test, benchmark and demo.
# Idempotent: a second run installs nothing new. Needs root (or sudo) for apt-get.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

debian_packages=(
  build-essential cmake pkg-config git ca-certificates   # toolchain
  libboost1.81-dev libboost-system1.81-dev               # Asio/Beast: the HTTP gateway
  libboost-json1.81-dev                                  # Boost.JSON (1.75 on): request bodies
  libstrophe-dev                                         # XMPP client library: the broker
  libsqlite3-dev sqlite3                                 # the store
  libssl-dev                                             # token hashing, random tokens
  nlohmann-json3-dev                                     # JSON answers of the HTTP API
  libcli11-dev                                           # command line
  libspdlog-dev libfmt-dev                               # logging
  libgoogle-perftools-dev                                # tcmalloc: faster cross-thread frees
  libgtest-dev libgmock-dev                              # unit tests
  clang-format                                           # style check
  clang libclang-rt-14-dev                               # libFuzzer targets (scripts/fuzz.sh)
  prosody lua-sec openssl                                # real XMPP server for tests and demo
  ejabberd                                               # the second XMPP server tests run on
  python3 python3-slixmpp                                # real XMPP client (operators) in tests
  chromium                                               # real browser for widget tests
  curl procps                                            # scripts: readiness checks, kill
  wrk nginx-light                                        # benchmark floors (bench/run.py); nginx also in front
                                                         # of two gateways in tests/browser/widget_gateway_failover_test.py
  libcurl4-openssl-dev                                   # mail: SMTP(S) client (src/mail/)
  python3-aiosmtpd                                       # real SMTP server in mail tests
  libpq-dev                                              # the PostgreSQL store (database = postgresql://...)
  postgresql                                             # PostgreSQL 15 server: store tests on both backends, several-machine tests
  python3-jsonschema                                     # API tests: responses vs docs/openapi.json
)
# Node.js drives Chromium (playwright-core). A machine that already has node and npm (from
# another source, whose nodejs conflicts with Debian's npm) keeps them.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  debian_packages+=(nodejs npm)
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's prosody package may start a system-wide server on 5222; ours run on their own
# ports from their own config, so it is not needed.
if [ -x /etc/init.d/prosody ] && [ -f /run/prosody/prosody.pid ]; then
  "${sudo_cmd[@]}" /etc/init.d/prosody stop >/dev/null 2>&1 || true
fi
# Debian's ejabberd package likewise starts a system-wide ejabberd (5222, 5269, 5280, 5443 and
# an epmd) as its user `ejabberd`; tests run their own from a temp dir. Its init script stops it
# with ejabberdctl and then stops the epmd it started unless another Erlang node uses it.
if [ -x /etc/init.d/ejabberd ] && pgrep -u ejabberd beam >/dev/null 2>&1; then
  "${sudo_cmd[@]}" /etc/init.d/ejabberd stop >/dev/null 2>&1 || true
fi

# npm: playwright-core (it drives Debian's chromium; no browser download) and axe-core (the
# accessibility checks the widget tests run in every state).
if [ -f "$here/tests/browser/package.json" ] && { [ ! -d "$here/tests/browser/node_modules/playwright-core" ] ||
  [ ! -d "$here/tests/browser/node_modules/axe-core" ]; }; then
  (cd "$here/tests/browser" && npm install --no-audit --no-fund --silent)
fi
echo "install-deps: ready"
