#!/usr/bin/env python3
"""A webhook receiver for Tollgate's outbound tests: a real HTTP server that
checks every delivery with the Standard Webhooks reference library
(PyPI `standardwebhooks`), not with Tollgate's own code.

    $VENV_PY tools/testkit/webhook_receiver.py --out /tmp/hooks.jsonl

Listens on 127.0.0.1 (a free port) and prints `LISTENING <port>` once ready.
Every POST to any path but /_control is appended to --out as one JSON line:

    {"path", "headers": {"webhook-id", "webhook-timestamp", "webhook-signature", "content-type"},
     "body": "<raw body>", "answered": <status or "hang"/"close">,
     "signature_ok": bool,   # one of the signatures equals Webhook(secret).sign(id, ts, body)
     "verify_ok": bool,      # Webhook(secret).verify(body, headers) passed (includes its
                             # 5-minute timestamp tolerance against this machine's clock)
     "verify_error": str|null}

How it answers is set per path with POST /_control, JSON:
    {"secret": "whsec_…"}                 the secret to verify with (per path, or "*" default)
    {"path": "/a", "script": [500, 500, 200]}
        answers the next requests on /a in that order, then 200. Items are
        status codes, "hang" (sleep 30 s before answering 200, longer than
        Tollgate's 15 s timeout) or "close" (drop the connection unanswered).
Exits on SIGTERM/SIGINT or, with --exit-on-stdin-eof, when stdin closes.
"""

import argparse
import asyncio
import datetime
import json
import signal
import socket
import sys

from aiohttp import web
from standardwebhooks.webhooks import Webhook


class State:
    def __init__(self, out):
        self.out = out
        self.secrets = {}
        self.scripts = {}

    def secret_for(self, path):
        return self.secrets.get(path) or self.secrets.get('*')

    def next_answer(self, path):
        script = self.scripts.get(path) or []
        return script.pop(0) if script else 200


def check(secret, body, headers):
    if not secret:
        return False, False, 'no secret configured'
    wh = Webhook(secret)
    msg_id = headers.get('webhook-id', '')
    ts = headers.get('webhook-timestamp', '0')
    sigs = headers.get('webhook-signature', '')
    try:
        when = datetime.datetime.fromtimestamp(int(ts), tz=datetime.timezone.utc)
        expected = wh.sign(msg_id, when, body)
        signature_ok = expected in sigs.split(' ')
    except Exception as e:  # noqa: BLE001 - report anything as a failed check
        return False, False, f'sign failed: {e}'
    try:
        wh.verify(body, {k: v for k, v in headers.items()})
        return signature_ok, True, None
    except Exception as e:  # noqa: BLE001
        return signature_ok, False, str(e)


def make_app(state):
    async def control(request):
        cfg = await request.json()
        if 'secret' in cfg:
            state.secrets[cfg.get('path', '*')] = cfg['secret']
        if 'script' in cfg:
            state.scripts[cfg.get('path', '/')] = list(cfg['script'])
        return web.json_response({'ok': True})

    async def hook(request):
        body = (await request.read()).decode('utf-8', errors='replace')
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = state.next_answer(request.path)
        signature_ok, verify_ok, err = check(state.secret_for(request.path), body, headers)
        line = {
            'path': request.path,
            'headers': {k: headers.get(k) for k in ('webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'user-agent')},
            'body': body,
            'answered': answer,
            'signature_ok': signature_ok,
            'verify_ok': verify_ok,
            'verify_error': err,
        }
        with open(state.out, 'a', encoding='utf-8') as f:
            f.write(json.dumps(line) + '\n')
            f.flush()
        if answer == 'hang':
            await asyncio.sleep(30)
            return web.Response(status=200, text='late')
        if answer == 'close':
            request.transport.close()
            raise asyncio.CancelledError()
        return web.Response(status=int(answer), text=f'answered {answer}')

    app = web.Application()
    app.router.add_post('/_control', control)
    app.router.add_route('POST', '/{tail:.*}', hook)
    return app


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--exit-on-stdin-eof', action='store_true')
    args = ap.parse_args()
    state = State(args.out)
    runner = web.AppRunner(make_app(state), access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    site = web.SockSite(runner, sock)
    await site.start()
    print(f'LISTENING {sock.getsockname()[1]}', flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        async def watch_stdin():
            await loop.run_in_executor(None, sys.stdin.read)
            stop.set()
        asyncio.ensure_future(watch_stdin())
    await stop.wait()
    await runner.cleanup()


if __name__ == '__main__':
    asyncio.run(main())
