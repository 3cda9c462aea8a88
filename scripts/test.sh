#!/usr/bin/env bash
# Sets up and runs every check and test: formatting, lints (server and the
# app for wasm32), the release build of the app, native tests (server over
# real HTTP, app logic, end-to-end in headless Chromium) and the app's
# component tests in headless Chromium. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

scripts/setup.sh
# shellcheck source=scripts/env.sh
. scripts/env.sh

step "Formatting (cargo fmt --check)"
cargo fmt --all --check

step "Lints: server, app and tests on the host (clippy -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "Lints: the app for wasm32 (clippy -D warnings)"
cargo clippy -p app-passwords --all-targets --target wasm32-unknown-unknown -- -D warnings

step "Building the app (trunk build --release)"
trunk build --release

step "Building the reference server"
cargo build -p app-passwords-server

step "Native tests: server over HTTP, app logic, end-to-end in Chromium"
APP_PASSWORDS_SERVER_BIN="$PWD/target/debug/app-passwords-server" \
  APP_PASSWORDS_DIST="$PWD/dist" \
  cargo test --workspace --no-fail-fast

step "The server's tests again, on PostgreSQL (a throwaway cluster)"
APP_PASSWORDS_TEST_ENGINE=postgres cargo test -p app-passwords-server

step "Component tests: the app in headless Chromium (wasm-bindgen-test)"
# The runner's Chromium profile lands in TMPDIR and stays there (about
# 110 MB a run): give it a folder of its own, removed afterwards.
component_tmp=$(mktemp -d)
trap 'rm -rf "$component_tmp"' EXIT
TMPDIR="$component_tmp" cargo test -p app-passwords --target wasm32-unknown-unknown --test web

step "All checks and tests passed in $((SECONDS - started)) s"
