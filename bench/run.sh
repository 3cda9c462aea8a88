#!/usr/bin/env bash
# The benchmark, from a fresh machine: installs the tools (scripts/setup.sh
# skips what is there), builds the release app and the reference server,
# then measures the app beside the floor page in headless Chromium. Prints
# the table and writes bench/results.json; exits non-zero if a budget fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# shellcheck source=scripts/env.sh
. scripts/env.sh

step "[bench] building the app (trunk build --release)"
trunk build --release

step "[bench] building the reference server (server profile)"
cargo build -p app-passwords-server --profile server

step "[bench] measuring (a few minutes)"
APP_PASSWORDS_SERVER_BIN="$PWD/target/server/app-passwords-server" \
  APP_PASSWORDS_DIST="$PWD/dist" \
  cargo bench -p app-passwords --bench app
