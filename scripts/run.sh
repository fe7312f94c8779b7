#!/usr/bin/env bash
# Runs Tollgate on SQLite with the SPA: builds the frontend (when npm is
# present) and the server side by side, then `tollgate serve`. Data goes to
# ./data. The server is built with the `quick` profile (see Cargo.toml): a
# fresh clone's first run is bounded by compile time. TOLLGATE_PROFILE=release
# builds an optimised binary instead (slower to build the first time).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate/target}"
profile="${TOLLGATE_PROFILE:-quick}"
started=$SECONDS

spa_pid=""
if command -v npm >/dev/null 2>&1; then
  echo "== building the SPA (frontend/dist), beside the server"
  (cd frontend && npm_config_cache="${npm_config_cache:-$HOME/.cache/tollgate/npm}" npm ci --no-audit --no-fund --loglevel=error && npx --no-install vite build --logLevel warn) &
  spa_pid=$!
else
  echo "== npm not found: serving the API only (install Node.js 20+ to get the SPA)"
fi

echo "== building tollgate (profile $profile; the first time takes a few minutes)"
cargo build --profile "$profile" -p tollgate
if [[ -n "$spa_pid" ]]; then
  wait "$spa_pid" || { echo "building the SPA failed" >&2; exit 1; }
fi
echo "== built in $((SECONDS - started)) s"
exec "$CARGO_TARGET_DIR/$profile/tollgate" serve
