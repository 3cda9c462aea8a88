#!/usr/bin/env bash
# Refreshes the README's screenshots (docs/screenshots/) from the end-to-end
# tests, which take them at each screen when APP_PASSWORDS_SCREENSHOTS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# shellcheck source=scripts/env.sh
. scripts/env.sh
step "Building the app and the server"
trunk build --release
cargo build -p app-passwords-server
step "Running the end-to-end tests with screenshots on"
APP_PASSWORDS_SCREENSHOTS="$PWD/docs/screenshots" \
  APP_PASSWORDS_SERVER_BIN="$PWD/target/debug/app-passwords-server" \
  APP_PASSWORDS_DIST="$PWD/dist" \
  cargo test --test e2e --test expiry --test list --test embedding --test hosting --test languages --test accessibility --test create --test sign_in --test appearance
ls -1 docs/screenshots
