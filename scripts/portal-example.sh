#!/usr/bin/env bash
# Serves examples/portal/ (a portal page that embeds the app with a bearer
# token) on http://127.0.0.1:8081/portal/security/, against the reference
# server that `scripts/run.sh --cors-origin http://127.0.0.1:8081` runs on
# 127.0.0.1:8080 in another terminal. Prints a bearer token for the demo
# account to paste into the portal's sign-in. Stop it with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
. scripts/env.sh

PORTAL="127.0.0.1:8081"
server=target/server/app-passwords-server
if [ ! -f data/demo.env ] || [ ! -x "$server" ] || [ ! -f dist/index.html ]; then
  echo "Start the reference server first, in another terminal:" >&2
  echo "  scripts/run.sh --cors-origin http://$PORTAL" >&2
  exit 1
fi
# shellcheck source=/dev/null
. data/demo.env

step "Laying out the portal: examples/portal/ with the app's files in portal/app/"
site="$(mktemp -d)"
trap 'rm -rf "$site"' EXIT
mkdir -p "$site/portal/security" "$site/portal/app"
cp examples/portal/index.html examples/portal/portal.js examples/portal/portal.css "$site/portal/"
cp examples/portal/security.html "$site/portal/security/index.html"
cp -R dist/. "$site/portal/app/"

step "A bearer token for $DEMO_LOGIN (paste it into the portal's sign-in)"
"$server" issue-token --login "$DEMO_LOGIN" --database data/app-passwords.db

step "Serving http://$PORTAL/portal/security/ (Ctrl+C stops it)"
echo "    (this simple server has no deep-link fallback: start from that address)"
python3 -m http.server --bind 127.0.0.1 --directory "$site" 8081
