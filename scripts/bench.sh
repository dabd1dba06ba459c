#!/usr/bin/env bash
# The benchmark table of issue 8, in one command (a benchmark, not a test: CI does not run it).
# It builds the page, runs the same cases natively in Rust, scikit-learn's KSG on the same
# samples, and then, in one headless Chromium, the explorer's bench page (?bench) and the same
# VICReg step in TensorFlow.js (cpu, wasm, webgl), alternating. It prints the table and writes
# it to target/bench/table.md. Run it on an otherwise idle machine: every figure is a time.
#
#   scripts/bench.sh                  (BENCH_ROUNDS=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench
SKLEARN_VERSION=1.9.1

step() { printf '\n== %s\n' "$*" >&2; }

scripts/setup.sh --test
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH" # the pinned wasm-opt

step "the TF.js peer's npm packages (tests/bench/package-lock.json)"
if ! cmp -s tests/bench/package-lock.json tests/bench/node_modules/.installed-from-lock.json; then
  (cd tests/bench && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.installed-from-lock.json)
fi

step "scikit-learn $SKLEARN_VERSION"
PYTHON=python3
if ! python3 -c "import sklearn, sys; sys.exit(sklearn.__version__ != '$SKLEARN_VERSION')" 2>/dev/null; then
  PYTHON="$OUT/venv/bin/python"
  if [ ! -x "$PYTHON" ]; then
    python3 -m venv "$OUT/venv" || {
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
      python3 -m venv "$OUT/venv"
    }
  fi
  "$PYTHON" -m pip install --quiet "scikit-learn==$SKLEARN_VERSION"
fi

step "trunk build --release"
trunk build --release

step "natively: every bench case in Rust (release, one thread)"
cargo run --release -p ssl-core --example bench_table -- "$OUT"

step "scikit-learn's mutual_info_regression on the same samples"
"$PYTHON" scripts/bench_sklearn.py "$OUT"

step "headless Chromium: the explorer's bench page and TF.js, alternating"
node tests/bench/run.mjs
