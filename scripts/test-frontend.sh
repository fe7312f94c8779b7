#!/usr/bin/env bash
# Frontend checks: install, API client drift, typecheck, unit tests, build (+ bundle budget), e2e.
# The e2e part needs /usr/bin/chromium (Debian: apt-get install -y chromium) and a built server
# binary at $TOLLGATE_BIN (default $HOME/.cache/tollgate/target/debug/tollgate); without them it is
# skipped, which fails the script when CI=true.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/frontend"

export npm_config_cache="${npm_config_cache:-$HOME/.cache/tollgate/npm}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export TOLLGATE_BIN="${TOLLGATE_BIN:-$HOME/.cache/tollgate/target/debug/tollgate}"
chromium_bin="${CHROMIUM_BIN:-/usr/bin/chromium}"

echo "== npm ci"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

if [[ -f "$root/openapi/openapi.json" ]]; then
  echo "== check:api (src/api/schema.d.ts vs openapi/openapi.json)"
  npm run --silent check:api
else
  echo "== check:api skipped: openapi/openapi.json does not exist yet"
fi

echo "== typecheck"
npx --no-install tsc --noEmit -p tsconfig.json

echo "== lint"
npx --no-install eslint --max-warnings=0 .

echo "== unit tests (vitest)"
npx --no-install vitest run

echo "== build"
npx --no-install vite build
node scripts/bundle-size.mjs

skip=""
[[ -x "$chromium_bin" ]] || skip="no browser at $chromium_bin (apt-get install -y chromium)"
[[ -z "$skip" && ! -x "$TOLLGATE_BIN" ]] && skip="no server binary at $TOLLGATE_BIN (cargo build -p tollgate)"
if [[ -n "$skip" ]]; then
  echo "== e2e skipped: $skip"
  if [[ "${CI:-}" == "true" ]]; then
    echo "CI=true: the e2e run is required" >&2
    exit 1
  fi
  exit 0
fi

echo "== e2e (@playwright/test: chromium + tollgate serve)"
# Debian's Chromium (playwright.config.ts reads CHROMIUM_BIN); never Playwright's browser download.
CHROMIUM_BIN="$chromium_bin" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx --no-install playwright test
