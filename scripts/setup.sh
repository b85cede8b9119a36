#!/usr/bin/env bash
# Installs what botcoach needs to build, run and test; each step does nothing when its tool
# is already there. Usage: scripts/setup.sh [--for-tests]
#
# Pins (see the README, "What the set-up installs"): cargo-leptos 0.3.11 needs a newer rustc than this machine
# has; cargo-leptos downloads wasm-bindgen and wasm-opt unless they are on PATH (downloads fail
# here); Debian's binaryen produces a wasm that never hydrates, npm's binaryen@132 works.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
PLAYWRIGHT_VERSION=1.65.1

step() { printf '\n==> %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 25 minutes, once per machine)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match the wasm-bindgen crate)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  step "installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
  mkdir -p "$BOTCOACH_CACHE/tools/binaryen"
  npm install --silent --no-audit --no-fund --prefix "$BOTCOACH_CACHE/tools/binaryen" "binaryen@$BINARYEN_VERSION"
fi

step "embedding model"
scripts/fetch-model.sh

if [ "${1:-}" = "--for-tests" ]; then
  if [ ! -x /usr/bin/chromium ] || ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    step "installing Debian's chromium, a CJK font and PostgreSQL (for tests)"
    export DEBIAN_FRONTEND=noninteractive
    sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    sudo_ apt-get update -qq
    sudo_ apt-get install -y -qq chromium fonts-noto-cjk postgresql >/dev/null
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    step "installing Playwright $PLAYWRIGHT_VERSION (test runner only, no browser download)"
    (cd end2end && npm ci --silent --no-audit --no-fund)
  fi
fi
