#!/usr/bin/env bash
# Installs what building and testing SSL Explorer needs, skipping whatever is already there at the
# pinned version. Everything comes from the package registries (crates.io, npm, Debian) and
# rustup; nothing is downloaded from anywhere else, at install time or when Trunk runs.
#
#   scripts/setup.sh          the build tools (wasm target, wasm-bindgen, Trunk, wasm-opt)
#   scripts/setup.sh --test   and the test tools (Debian's chromium and chromium-driver)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130 # = the wasm-bindgen crate in Cargo.lock and Trunk.toml's [tools]
TRUNK_VERSION=0.21.14

say() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# wasm-opt (npm's binaryen) and playwright-core, pinned in tests/e2e/package-lock.json. A copy
# of the lock file in node_modules records which lock the installed packages came from.
if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.installed-from-lock.json; then
  say "installing the npm packages of tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.installed-from-lock.json)
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
  fi
fi
