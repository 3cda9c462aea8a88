# Sourced by the other scripts: puts the tools that scripts/setup.sh installs
# on PATH. Kept in one place so setup, run and test agree.
APP_PASSWORDS_TOOLS="${APP_PASSWORDS_TOOLS:-$HOME/.cache/app-passwords-tools}"
export APP_PASSWORDS_TOOLS
# scripts/toolchain/ first: its `cargo` sends Trunk's release build of the
# app to Debian's Rust 1.96 (see the file) and every other command on.
APP_PASSWORDS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export PATH="$APP_PASSWORDS_ROOT/scripts/toolchain:$HOME/.cargo/bin:$APP_PASSWORDS_TOOLS/node_modules/binaryen/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

step() { printf '\n==> %s\n' "$*"; }
