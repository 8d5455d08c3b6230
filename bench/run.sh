#!/usr/bin/env bash
# `make bench`: load-test the portal on PostgreSQL at 10 000 and 100 000 offers (see bench/bench.py).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk (Debian package)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi

exec .venv/bin/python bench/bench.py "$@"
