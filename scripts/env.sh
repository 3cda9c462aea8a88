# Sourced by the other scripts: puts the tools that scripts/setup.sh installs
# on PATH. Kept in one place so setup, run and test agree.
APP_PASSWORDS_TOOLS="${APP_PASSWORDS_TOOLS:-$HOME/.cache/app-passwords-tools}"
export APP_PASSWORDS_TOOLS
export PATH="$HOME/.cargo/bin:$APP_PASSWORDS_TOOLS/node_modules/binaryen/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

step() { printf '\n==> %s\n' "$*"; }
