#!/usr/bin/env bash
# `make bench`: load-test the portal on PostgreSQL at 10 000 and 100 000 offers (see bench/bench.py),
# then a minute of mixed traffic from 32 clients (bench/load.py).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk (Debian package)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi

.venv/bin/python bench/bench.py "$@"

# The load gate's full run (issue 7): a minute of mixed traffic from 32 clients, zero errors, zero lost writes.
# Its table goes under the benchmark's in the results file bench.py just wrote.
results="$(ls -t bench/results/*.md | head -n 1)"
printf '\n## Mixed load\n\n' >>"$results"
.venv/bin/python bench/load.py --duration "${LOAD_DURATION:-60}" --clients "${LOAD_CLIENTS:-32}" | tee -a "$results"
