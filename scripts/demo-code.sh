#!/usr/bin/env bash
# Prints the demo account's current second-factor code, for signing in
# without an authenticator app. Needs a prior scripts/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f data/demo.env ]; then
  echo "No demo account yet: start the server with scripts/run.sh first." >&2
  exit 1
fi
# shellcheck source=/dev/null
. data/demo.env
server=target/server/app-passwords-server
[ -x "$server" ] || cargo build -q --profile server -p app-passwords-server
APP_PASSWORDS_TOTP_SECRET="$DEMO_TOTP_SECRET" "$server" totp-code
