#!/usr/bin/env bash
# Runs every check: formatting, lints, the core's tests, the release build of the page, and the
# end-to-end tests of that build in headless Chromium. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH" # the pinned wasm-opt

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native: the core, the app's logic, the examples and tests)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (native)"
cargo test --workspace

step "trunk build --release (the static site, into dist/)"
trunk build --release
ls -l dist/*.wasm

step "end-to-end tests in headless Chromium"
(cd tests/e2e && npm test)
