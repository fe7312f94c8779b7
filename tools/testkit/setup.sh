#!/usr/bin/env bash
# Creates (once) the Python venv for Tollgate's test tooling and installs
# tools/testkit/requirements.txt into it. Idempotent and safe to run from
# several test processes at once (flock). Progress goes to stderr; the last
# (and only) line on stdout is the venv's python, e.g.
#   PY=$(tools/testkit/setup.sh)
# Venv location: $TOLLGATE_VENV, default $HOME/.cache/tollgate/venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/requirements.txt"
venv="${TOLLGATE_VENV:-$HOME/.cache/tollgate/venv}"
py="$venv/bin/python"
stamp="$venv/.tollgate-requirements.sha256"

log() { echo "testkit/setup.sh: $*" >&2; }

pick_python() {
    for c in python3.11 python3; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return
        fi
    done
    log "no python3 found"
    exit 1
}

mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$venv.lock"
    flock 9
fi

want="$(sha256sum "$req" | cut -d' ' -f1)"

if [ -x "$py" ] && "$py" -c 'import sys' >/dev/null 2>&1 \
        && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$py"
    exit 0
fi

if ! { [ -x "$py" ] && "$py" -c 'import venv' >/dev/null 2>&1; }; then
    log "creating venv at $venv"
    rm -rf "$venv"
    "$(pick_python)" -m venv "$venv"
fi

log "installing $req"
rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check -q -r "$req" >&2
"$py" -c 'import localstripe.server, aiosmtpd.smtp, stripe, standardwebhooks' >&2
echo "$want" >"$stamp"
echo "$py"
