#!/usr/bin/env bash
# Runs Tollgate on SQLite with the SPA: builds the frontend (when npm is
# present) and the server, then `tollgate serve`. Data goes to ./data.
# Extra arguments are passed to cargo (e.g. --release is already used).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate/target}"

if command -v npm >/dev/null 2>&1; then
  echo "== building the SPA (frontend/dist)"
  (cd frontend && npm_config_cache="${npm_config_cache:-$HOME/.cache/tollgate/npm}" npm ci --no-audit --no-fund --loglevel=error && npx --no-install vite build --logLevel warn)
else
  echo "== npm not found: serving the API only (install Node.js 20+ to get the SPA)"
fi

echo "== building tollgate (first time: a few minutes)"
cargo build --release -p tollgate
exec "$CARGO_TARGET_DIR/release/tollgate" serve
