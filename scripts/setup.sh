#!/usr/bin/env bash
# Installs what building and testing app-passwords needs, at pinned versions,
# and skips whatever is already installed at the right version. Safe to run
# again and again; a warm machine finishes in seconds.
#
# Only the package registries are reachable here, so Trunk runs offline with
# the wasm-bindgen CLI and wasm-opt installed by this script (see Trunk.toml).
set -euo pipefail

cd "$(dirname "$0")/.."

TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
AXE_VERSION="4.14.1"
TERSER_VERSION="5.51.4"
CLEAN_CSS_VERSION="5.6.3"
# The newest oidc-provider that runs on Node 20 (9.x refuses it).
OIDC_PROVIDER_VERSION="8.8.1"
# Lighthouse 13 asks for Node 22; 12.x runs on Node 20 and Debian's Chromium.
LIGHTHOUSE_VERSION="12.2.3"
SCHEMATHESIS_VERSION="4.32.5"
RADICALE_VERSION="3.9.0"
CALDAV_VERSION="3.6.0"
# The wasm-bindgen CLI must equal the crate version in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)"
# shellcheck source=scripts/env.sh
. scripts/env.sh
TOOLS_DIR="$APP_PASSWORDS_TOOLS"
ok() { printf '    ok: %s\n' "$*"; }

if ! grep -qE "^wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml; then
  echo "Trunk.toml's [tools] wasm_bindgen must equal the wasm-bindgen version in Cargo.lock ($WASM_BINDGEN_VERSION)." >&2
  exit 1
fi

step "[setup] Rust components clippy and rustfmt"
for component in clippy rustfmt; do
  if rustup component list --installed | grep -q "^$component"; then
    ok "$component"
  else
    rustup component add "$component"
  fi
done

step "[setup] Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  ok "already installed"
else
  rustup target add wasm32-unknown-unknown
fi

step "[setup] trunk $TRUNK_VERSION"
if command -v trunk >/dev/null && trunk --version | grep -qF "$TRUNK_VERSION"; then
  ok "$(trunk --version)"
else
  echo "    installing (about 6 minutes on 2 cores)…"
  cargo install trunk --version "=$TRUNK_VERSION" --locked
fi

step "[setup] wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock)"
if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -qF "$WASM_BINDGEN_VERSION"; then
  ok "$(wasm-bindgen --version)"
else
  echo "    installing (about 4 minutes on 2 cores)…"
  # Not --locked: one of its locked dependency versions is missing from the registry.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

step "[setup] wasm-opt (npm binaryen@$BINARYEN_VERSION) in $TOOLS_DIR"
if [ -x "$TOOLS_DIR/node_modules/binaryen/bin/wasm-opt" ] \
  && "$TOOLS_DIR/node_modules/binaryen/bin/wasm-opt" --version | grep -qF "version $BINARYEN_VERSION"; then
  ok "$(wasm-opt --version)"
else
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
fi

# An npm package at an exact version in $TOOLS_DIR, unless it is there.
npm_package() {
  local name=$1 version=$2 manifest="$TOOLS_DIR/node_modules/$1/package.json"
  if [ -f "$manifest" ] && grep -qF "\"version\": \"$version\"" "$manifest"; then
    ok "$name $version"
  else
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "$name@$version"
  fi
}

step "[setup] axe-core $AXE_VERSION (npm; the accessibility tests inject it) in $TOOLS_DIR"
npm_package axe-core "$AXE_VERSION"

step "[setup] terser $TERSER_VERSION and clean-css-cli $CLEAN_CSS_VERSION (npm; scripts/minify.sh) in $TOOLS_DIR"
npm_package terser "$TERSER_VERSION"
npm_package clean-css-cli "$CLEAN_CSS_VERSION"

step "[setup] oidc-provider $OIDC_PROVIDER_VERSION (npm; the OpenID provider of the sign-in tests, testkit/oidc/) in $TOOLS_DIR"
npm_package oidc-provider "$OIDC_PROVIDER_VERSION"

# The benchmark's Lighthouse runs (bench/lighthouse.rs) drive Debian's
# Chromium (CHROME_PATH): puppeteer-core, which it uses, downloads no
# browser, and the variable says so to any package that would.
step "[setup] lighthouse $LIGHTHOUSE_VERSION (npm; the benchmark's LCP and CLS) in $TOOLS_DIR"
PUPPETEER_SKIP_DOWNLOAD=1 npm_package lighthouse "$LIGHTHOUSE_VERSION"

# The tests drive Chromium through chromedriver, and host the app behind the
# README's nginx and Caddy configurations; release builds are precompressed
# with brotli (scripts/precompress.sh). The server's tests log in to a real
# Dovecot (IMAP) and nginx (auth_request) that ask its verifier, and the
# benchmark loads the verifier with wrk. The tests of several instances
# (and the whole server suite with APP_PASSWORDS_TEST_ENGINE=postgres)
# make throwaway PostgreSQL clusters with its initdb; its system service is
# never started. The walkthrough of docs/services.md sends mail through a
# real Postfix (SMTP AUTH through Dovecot) with a certificate openssl makes,
# and curl is its IMAP and SMTP client.
step "[setup] Chromium, chromedriver, nginx, Caddy, brotli, Dovecot, Postfix, openssl, wrk and PostgreSQL (Debian)"
missing=()
for need in /usr/bin/chromium:chromium /usr/bin/chromedriver:chromium-driver \
  /usr/sbin/nginx:nginx-light /usr/bin/caddy:caddy /usr/bin/brotli:brotli \
  /usr/sbin/dovecot:dovecot-imapd /usr/sbin/postfix:postfix /usr/bin/openssl:openssl \
  /usr/bin/curl:curl /usr/bin/wrk:wrk; do
  if [ -x "${need%%:*}" ]; then
    ok "${need%%:*}"
  else
    missing+=("${need#*:}")
  fi
done
# The release wasm is built by Debian's Rust (1.96 or later) from bookworm-security,
# which rebuilds the standard library with the app (scripts/toolchain/cargo),
# and linked by LLVM 22's wasm-ld.
if scripts/toolchain/debian-rust-ok && [ -f /usr/lib/rustlib/src/rust/library/Cargo.lock ]; then
  ok "Debian's $(/usr/bin/rustc --version)"
else
  missing+=(rustc-web cargo-web rust-web-src)
fi
if [ -x /usr/bin/wasm-ld-22 ]; then
  ok /usr/bin/wasm-ld-22
else
  missing+=(lld-22)
fi
# Debian's python3 makes virtual environments (for the Python packages
# below) only with python3-venv.
if python3 -c 'import ensurepip' 2>/dev/null; then
  ok "python3 -m venv"
else
  missing+=(python3-venv)
fi
# Debian keeps PostgreSQL's programs under its major version.
if initdb=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1) && [ -n "$initdb" ]; then
  ok "$initdb"
else
  missing+=(postgresql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # The tests start nginx, Caddy, Dovecot and PostgreSQL themselves, on
  # loopback ports of their own: keep the packages from starting system
  # services.
  no_services=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    no_services=yes
  fi
  echo "    installing ${missing[*]}…"
  # Postfix's package asks what kind of mail system this is: none, since
  # the tests give Postfix a configuration of their own.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  [ -z "$no_services" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

# --- Python packages, each group in a virtual environment of its own in
# $TOOLS_DIR, so that their dependencies never meet the system's or each
# other's.

# A PyPI package at an exact version in the virtual environment VENV (made
# when missing), unless it is there.
python_venv_package() {
  local venv=$1 name=$2 version=$3
  if [ -x "$venv/bin/python" ] \
    && [ "$("$venv/bin/python" -m pip show "$name" 2>/dev/null | awk '/^Version:/{print $2}')" = "$version" ]; then
    ok "$name $version"
  else
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$name==$version"
  fi
}

# The contract test (server/tests/schemathesis.rs) runs Schemathesis against
# the reference server.
step "[setup] Schemathesis $SCHEMATHESIS_VERSION (PyPI; the contract test) in $TOOLS_DIR/schemathesis"
python_venv_package "$TOOLS_DIR/schemathesis" schemathesis "$SCHEMATHESIS_VERSION"

# The walkthrough of docs/services.md runs Radicale behind nginx and signs
# in to it with the caldav library (server/tests/walkthrough.rs).
step "[setup] Radicale $RADICALE_VERSION and caldav $CALDAV_VERSION (PyPI) in $TOOLS_DIR/radicale"
python_venv_package "$TOOLS_DIR/radicale" radicale "$RADICALE_VERSION"
python_venv_package "$TOOLS_DIR/radicale" caldav "$CALDAV_VERSION"
# --- end of the Python packages

step "[setup] crate sources (trunk builds offline)"
cargo fetch --locked -q 2>/dev/null || cargo fetch -q
# The standard library's own dependencies, for the release wasm's build.
RUSTC_BOOTSTRAP=1 /usr/bin/cargo fetch -q --manifest-path /usr/lib/rustlib/src/rust/library/Cargo.toml
ok "fetched"

step "set-up done"
