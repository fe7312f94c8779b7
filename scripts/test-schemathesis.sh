#!/usr/bin/env bash
# Schemathesis against a live `tollgate serve`, once on SQLite (temp dir) and
# once on PostgreSQL (a fresh database, dropped afterwards): every operation of
# the served OpenAPI document (/api/openapi.json) is called with generated
# valid and invalid input, and every check runs (`--checks all`: no 5xx, each
# status and content type declared, bodies and headers match their schemas,
# invalid input refused, valid input accepted, 405 + Allow for other methods,
# auth not ignored…). Any failure fails the script. The exceptions (which
# operations may answer 4xx to schema-valid input, and why) are in
# scripts/schemathesis.toml.
#
#   TOLLGATE_BIN                server binary (default $CARGO_TARGET_DIR/debug/tollgate,
#                               CARGO_TARGET_DIR defaulting to $HOME/.cache/tollgate/target)
#   TOLLGATE_TEST_PG_URL        PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
#   SCHEMATHESIS_DBS            which databases (default "sqlite postgres")
#   SCHEMATHESIS_MAX_EXAMPLES   generated cases per operation and phase (default 10)
#   SCHEMATHESIS_SEED           Hypothesis seed (default 14: fixed, so a CI failure reproduces
#                               locally with the same inputs; set another to explore)
#   SCHEMATHESIS_KEEP=1         keep the temp dir (server logs, reports) and print its path
#   Extra arguments go to `schemathesis run`, e.g. --include-path-regex '^/api/v1/products'.
#
# The server's outbound HTTP (Stripe, CRMs, webhook deliveries) goes through a
# proxy address where nothing listens, so generated URLs are never contacted:
# those calls fail at once, as a Stripe or CRM outage would.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate/target}"
bin="${TOLLGATE_BIN:-$target_dir/debug/tollgate}"
pg_url="${TOLLGATE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
dbs="${SCHEMATHESIS_DBS:-sqlite postgres}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-10}"
seed="${SCHEMATHESIS_SEED:-14}"
config="$root/scripts/schemathesis.toml"

if [[ ! -x "$bin" ]]; then
  echo "test-schemathesis: no server binary at $bin (cargo build -p tollgate, or set TOLLGATE_BIN)" >&2
  exit 1
fi
PY="$(bash "$root/tools/testkit/setup.sh" | tail -n 1)"
st="$(dirname "$PY")/schemathesis"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tollgate-schemathesis-XXXXXX")"
pg_db=""
# Both databases run at once, each with its own server (pid in $tmp/<db>/server.pid).
stop_server() { # $1 = pid
  local pid="$1"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
drop_pg() {
  if [[ -n "$pg_db" ]]; then
    psql -q -d "$pg_url" -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
cleanup() {
  local rc=$?
  for f in "$tmp"/*/server.pid; do [[ -f "$f" ]] && stop_server "$(cat "$f")"; done
  for p in "${runs[@]}"; do kill "$p" 2>/dev/null || true; done
  drop_pg
  if [[ -n "${SCHEMATHESIS_KEEP:-}" ]]; then echo "test-schemathesis: kept $tmp"; else rm -rf "$tmp"; fi
  exit $rc
}
runs=()
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# A port where nothing listens: the server's outbound HTTP goes there and is refused.
dead_proxy="http://127.0.0.1:$(free_port)"

start_server() { # $1 = label, $2 = database URL
  local dir="$tmp/$1"
  mkdir -p "$dir"
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  (
    # The server keeps uploaded media under ./data (relative to its working directory).
    cd "$dir"
    exec env \
      TOLLGATE_DATABASE_URL="$2" \
      TOLLGATE_DATA_DIR="$dir" \
      TOLLGATE_BIND="127.0.0.1:$port" \
      TOLLGATE_PUBLIC_URL="$base" \
      TOLLGATE_FRONTEND_DIR="$dir/none" \
      HTTP_PROXY="$dead_proxy" HTTPS_PROXY="$dead_proxy" ALL_PROXY="$dead_proxy" \
      http_proxy="$dead_proxy" https_proxy="$dead_proxy" all_proxy="$dead_proxy" \
      NO_PROXY="" no_proxy="" \
      RUST_LOG="${RUST_LOG:-info}" \
      "$bin" serve
  ) >"$dir/server.log" 2>&1 &
  server_pid=$!
  echo "$server_pid" >"$dir/server.pid"
  local deadline=$((SECONDS + 60))
  until "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base/healthz" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "test-schemathesis: the server exited before it was ready" >&2
      tail -n 25 "$dir/server.log" >&2
      exit 1
    fi
    if (( SECONDS >= deadline )); then
      echo "test-schemathesis: $base/healthz did not answer within 60 s" >&2
      exit 1
    fi
    sleep 0.1
  done
}

# Sets the site up, logs a member in, and makes a product, a page, a member and
# a grant, so that path ids resolve; prints `export NAME=value` lines.
seed_data() {
  "$PY" - "$base" <<'PYEOF'
import json, shlex, sys, urllib.request, urllib.error

base = sys.argv[1]

def call(method, path, body=None, token=None, want=(200, 201)):
    req = urllib.request.Request(base + "/api/v1" + path, method=method)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, data, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status not in want:
        sys.exit(f"seed: {method} {path} answered {status}: {text}")
    return json.loads(text) if text else None

s = call("POST", "/setup", {"email": "owner@example.com", "password": "schemathesis owner pass 1",
                            "name": "Owner", "app_name": "Schemathesis Academy"})
token = s["access_token"]
app_id = s["app"]["id"] if isinstance(s.get("app"), dict) else s.get("app_id")
product = call("POST", "/products", {"name": "Course", "description": "Seeded for schemathesis."}, token)
page = call("POST", f"/products/{product['id']}/pages", {"title": "Lesson 1", "body": "Hello."}, token)
member_password = "schemathesis member pass 1"
user = call("POST", "/users", {"email": "member@example.com", "name": "Member", "password": member_password}, token)
grant = call("POST", f"/users/{user['id']}/access", {"product_id": product["id"], "notify": False}, token)
m = call("POST", "/member/auth/login", {"app_id": app_id, "email": "member@example.com", "password": member_password})
out = {
    "TG_ADMIN_TOKEN": token,
    "TG_MEMBER_TOKEN": m["access_token"],
    "TG_APP_ID": app_id,
    "TG_PRODUCT_ID": product["id"],
    "TG_PAGE_ID": page["id"],
    "TG_USER_ID": user["id"],
    "TG_GRANT_ID": grant["id"],
}
for k, v in out.items():
    print(f"export {k}={shlex.quote(str(v))}")
PYEOF
}

run_db() { # $1 = label, $2 = database URL
  local label="$1" url="$2" t0=$SECONDS
  echo "== $label: tollgate serve"
  start_server "$label" "$url"
  eval "$(seed_data)"
  echo "== $label: schemathesis run $base/api/openapi.json (max $max_examples examples per operation, seed $seed)"
  local rc=0
  (
    cd "$tmp/$label"
    # In the database's own directory: both runs go on at once.
    "$st" --config-file "$config" run "$base/api/openapi.json" \
      --checks all \
      --max-examples "$max_examples" \
      --seed "$seed" \
      --request-timeout 20 \
      --workers "${SCHEMATHESIS_WORKERS:-1}" \
      --generation-database none \
      --report junit --report-dir "$tmp/$label/report" \
      --no-color \
      "${extra[@]}"
  ) || rc=$?
  stop_server "$server_pid"
  rm -f "$tmp/$label/server.pid"
  if (( rc != 0 )); then
    echo "---- $label server log (tail) ----"
    sed -e 's/\x1b\[[0-9;]*m//g' "$tmp/$label/server.log" | grep -v ' INFO ' | tail -n 40 || true
  fi
  echo "== $label: $((SECONDS - t0)) s"
  return $rc
}

extra=("$@")
total0=$SECONDS
labels=()
for db in $dbs; do
  case "$db" in
    sqlite)
      mkdir -p "$tmp/sqlite"
      run_db sqlite "sqlite://$tmp/sqlite/tg.db" >"$tmp/sqlite.out" 2>&1 &
      ;;
    postgres)
      pg_db="tollgate_schemathesis_$$"
      psql -q -d "$pg_url" -c "CREATE DATABASE \"$pg_db\"" >/dev/null
      run_db postgres "${pg_url%/*}/$pg_db" >"$tmp/postgres.out" 2>&1 &
      ;;
    *) echo "test-schemathesis: unknown database $db" >&2; exit 2 ;;
  esac
  runs+=($!)
  labels+=("$db")
done
failed=()
for i in "${!runs[@]}"; do
  wait "${runs[$i]}" || failed+=("${labels[$i]}")
done
runs=()
for db in "${labels[@]}"; do cat "$tmp/$db.out"; done
echo "== schemathesis: $((SECONDS - total0)) s in all ($dbs, at once)"
if (( ${#failed[@]} )); then
  echo "test-schemathesis: failures on ${failed[*]}" >&2
  exit 1
fi
