#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests on SQLite and PostgreSQL,
# the Stripe emulator and SMTP sink self test, architecture checks, the
# OpenAPI drift check, schemathesis against a live server, the Zapier app
# against a live server, and the SPA's unit and browser tests.
#
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth; override
# with TOLLGATE_TEST_PG_URL), Python 3.11 with venv, Node.js 20+ with npm,
# and /usr/bin/chromium for the browser tests (.ci/run installs what is missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n== %s\n' "$*"; }

step "PostgreSQL reachable"
pg_url="${TOLLGATE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if command -v pg_isready >/dev/null 2>&1; then
  pg_isready -d "$pg_url" || { echo "PostgreSQL is not answering at $pg_url" >&2; exit 1; }
fi

step "Python test tooling (localstripe, SMTP sink)"
PY="$(bash tools/testkit/setup.sh | tail -n 1)"
"$PY" tools/testkit/selftest.py

step "domain crate has no IO dependency"
io=$(cargo tree -p tollgate-domain -e normal --prefix none --format '{p}' | awk '{print $1}' | grep -E '^(sqlx|sqlx-.*|actix-.*|actix|reqwest|utoipa.*|tokio|hyper|lettre)$' || true)
if [[ -n "$io" ]]; then
  echo "tollgate-domain depends on IO crates: $io" >&2
  exit 1
fi
echo "ok"

step "app crate: no import cycle among its top-level modules"
python3 scripts/check-app-layers.py

step "HTTP routes: no persistence type on the wire"
python3 scripts/check-http-wire.py

step "Rust tests (every persistence and API test runs on SQLite and PostgreSQL)"
cargo build --workspace --all-targets
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
  cargo test --workspace --doc
else
  cargo test --workspace --no-fail-fast
fi

step "OpenAPI document matches the handlers"
"$CARGO_TARGET_DIR/debug/tollgate" openapi --check openapi/openapi.json

step "Schemathesis: the served OpenAPI document against a live server (SQLite and PostgreSQL)"
TOLLGATE_BIN="$CARGO_TARGET_DIR/debug/tollgate" bash scripts/test-schemathesis.sh

step "Zapier app: zapier-platform-core's appTester against a live tollgate serve"
TOLLGATE_BIN="$CARGO_TARGET_DIR/debug/tollgate" bash scripts/test-zapier.sh

step "SPA: API client, typecheck, unit tests, build, browser tests"
export TOLLGATE_BIN="$CARGO_TARGET_DIR/debug/tollgate"
bash scripts/test-frontend.sh

step "all tests passed"
