#!/usr/bin/env bash
# The Zapier app's tests (integrations/zapier) against a live `tollgate serve`
# on SQLite in a temp dir: every trigger, action and search runs through
# zapier-platform-core's createAppTester and makes real HTTP calls.
#
#   TOLLGATE_BIN    server binary (default $CARGO_TARGET_DIR/debug/tollgate,
#                   CARGO_TARGET_DIR defaulting to $HOME/.cache/tollgate/target;
#                   build it with `cargo build -p tollgate`)
#   ZAPIER_KEEP=1   keep the temp dir (database, server log) and print its path
#   Extra arguments go to `node --test`, e.g. --test-name-pattern=members.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="$root/integrations/zapier"

export npm_config_cache="${npm_config_cache:-$HOME/.cache/tollgate/npm}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate/target}"
bin="${TOLLGATE_BIN:-$target_dir/debug/tollgate}"

command -v node >/dev/null 2>&1 || { echo "test-zapier: Node.js 20+ is required" >&2; exit 1; }
if [[ ! -x "$bin" ]]; then
  echo "test-zapier: no server binary at $bin (cargo build -p tollgate, or set TOLLGATE_BIN)" >&2
  exit 1
fi

# ---------------------------------------------------------------- dependencies
# npm ci when node_modules is missing or was installed from another lockfile.
lock_hash="$(sha256sum "$app/package-lock.json" | cut -d' ' -f1)"
stamp="$app/node_modules/.tollgate-lock-sha256"
if [[ ! -d "$app/node_modules" || ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  echo "== npm ci (integrations/zapier)"
  (cd "$app" && npm ci --no-audit --no-fund)
  echo "$lock_hash" >"$stamp"
fi

# ---------------------------------------------------------------- server
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tollgate-zapier-XXXXXX")"
server_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$tmp/server.log" ]]; then
    echo "---- server log (tail) ----"
    sed -e 's/\x1b\[[0-9;]*m//g' "$tmp/server.log" | tail -n 25
  fi
  if [[ -n "${ZAPIER_KEEP:-}" ]]; then echo "test-zapier: kept $tmp"; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"

echo "== tollgate serve on $base ($bin)"
# The server keeps uploaded media under ./data (relative to its working directory): run it in the temp dir.
(
  cd "$tmp"
  exec env \
    TOLLGATE_DATABASE_URL="sqlite://$tmp/tg.db" \
    TOLLGATE_DATA_DIR="$tmp" \
    TOLLGATE_BIND="127.0.0.1:$port" \
    TOLLGATE_PUBLIC_URL="$base" \
    TOLLGATE_FRONTEND_DIR="$tmp/none" \
    TOLLGATE_OUTBOUND__ALLOW_PRIVATE_NETWORKS=true \
    RUST_LOG="${RUST_LOG:-info}" \
    "$bin" serve
) >"$tmp/server.log" 2>&1 &
server_pid=$!

probe() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
  else
    node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1" 2>/dev/null
  fi
}
deadline=$((SECONDS + 60))
until probe "$base/healthz"; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "test-zapier: the server exited before it was ready" >&2
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "test-zapier: $base/healthz did not answer 200 within 60 s" >&2
    exit 1
  fi
  sleep 0.1
done

# ---------------------------------------------------------------- tests
echo "== zapier app tests (node --test)"
cd "$app"
TOLLGATE_URL="$base" NODE_ENV=test node --test --test-reporter=spec --test-concurrency=1 "$@" test/*.test.js
