#!/usr/bin/env bash
# Builds the explorer and serves it, with its bundled data, on http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH" # the pinned wasm-opt
# No autoreload: its injected script and socket would only be noise under the CSP.
exec trunk serve --release --no-autoreload "$@"
