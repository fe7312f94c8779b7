"""Starting and stopping the testkit servers, small HTTP helpers, and the
@check decorator that runs a check at once and records its result."""

import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request


HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # testkit
API_KEY = 'sk_test_selftest'


def start(script, *args):
    """Start a testkit server; return (process, port) once it printed
    LISTENING <port>."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, script),
                             '--port', '0', *args],
                            stdout=subprocess.PIPE, stderr=log,
                            stdin=subprocess.DEVNULL)
    ready, _, _ = select.select([proc.stdout], [], [], 15)
    line = proc.stdout.readline().decode() if ready else ''
    if not line.startswith('LISTENING '):
        proc.kill()
        log.seek(0)
        raise RuntimeError('%s did not start: %r\n%s'
                           % (script, line, log.read().decode()))
    return proc, int(line.split()[1])


def stop(proc):
    proc.terminate()
    try:
        assert proc.wait(10) == 0, 'exit code %s' % proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def post(base, path, **form):
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(base + path, data=data, method='POST')
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


RESULTS = []


def check(name):
    def deco(fn):
        t0 = time.time()
        try:
            fn()
            RESULTS.append((name, True))
            print('ok    %-55s %.1fs' % (name, time.time() - t0), flush=True)
        except Exception:
            RESULTS.append((name, False))
            print('FAIL  %s' % name, flush=True)
            traceback.print_exc()
        return fn
    return deco


def http_json(method, url, body=None, headers=None, form=None):
    """Returns (status, headers, parsed JSON or raw text or None)."""
    data = None
    hdrs = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        hdrs['Content-Type'] = 'application/x-www-form-urlencoded'
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs['Content-Type'] = 'application/json'
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, h, raw = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, h, raw = e.code, dict(e.headers), e.read()
    try:
        return status, h, json.loads(raw) if raw else None
    except ValueError:
        return status, h, raw.decode('utf-8', 'replace')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
