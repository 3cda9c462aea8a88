#!/usr/bin/env bash
# Sets up, builds the app in release mode and starts the reference server on
# http://127.0.0.1:8080 with a demo account. Stop it with Ctrl+C. Arguments
# go to the server (e.g. --cors-origin http://127.0.0.1:8081 for
# scripts/portal-example.sh).
#
# The demo account is made on first run and kept in data/demo.env (not in
# git), so an authenticator app set up once keeps working across restarts.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# shellcheck source=scripts/env.sh
. scripts/env.sh

LISTEN="${APP_PASSWORDS_LISTEN:-127.0.0.1:8080}"

step "Building the app (release; about 2 minutes on a clean machine)"
trunk build --release

step "Building the reference server"
cargo build --profile server -p app-passwords-server
server=target/server/app-passwords-server

mkdir -p data
if [ ! -f data/demo.env ]; then
  step "Creating the demo account"
  # head reads a finite amount, so no pipe is cut short (set -o pipefail).
  password="$(head -c 12 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z')"
  secret="$(head -c 20 /dev/urandom | base32 | tr -d '=')"
  umask 077
  printf 'DEMO_LOGIN=demo\nDEMO_PASSWORD=%s\nDEMO_TOTP_SECRET=%s\n' "$password" "$secret" >data/demo.env
fi
# shellcheck source=/dev/null
. data/demo.env

step "Demo account"
echo "Scan this with an authenticator app (or run scripts/demo-code.sh for the current code):"
APP_PASSWORDS_TOTP_SECRET="$DEMO_TOTP_SECRET" "$server" totp-qr --login "$DEMO_LOGIN"
cat <<BANNER

  Open      http://$LISTEN/
  Login     $DEMO_LOGIN
  Password  $DEMO_PASSWORD
  Code      from your authenticator app, or: scripts/demo-code.sh
  Secret    $DEMO_TOTP_SECRET  (to type into an authenticator app by hand)

BANNER

step "Starting the reference server (Ctrl+C stops it)"
# The seed user goes through the environment, not argv, to stay out of `ps`.
APP_PASSWORDS_SEED_USER="$DEMO_LOGIN:$DEMO_PASSWORD:$DEMO_TOTP_SECRET" exec "$server" \
  --listen "$LISTEN" --database data/app-passwords.db --dist dist "$@"
