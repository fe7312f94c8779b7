#!/usr/bin/env python3
"""Run localstripe 1.15.10 for Tollgate's tests, with a few Stripe resources
it lacks.

    $VENV_PY tools/testkit/localstripe_launcher.py --port 0

Binds 127.0.0.1 only, starts with an empty store (no pickle in /tmp), prints
exactly one line `LISTENING <port>` on stdout once it accepts connections,
and exits cleanly on SIGTERM/SIGINT (or on stdin EOF with --exit-on-stdin-eof).

The package localstripe_ext/ (one module per resource family or concern;
app.py holds the routes) imports localstripe and extends it at run time;
nothing of localstripe is copied there. New objects are shaped after Stripe's
published example objects in fixtures/stripe_objects.json (see
fixtures/README.md). README.md lists what is added. This file parses the
command line and serves.
"""

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys

from aiohttp import web

from localstripe_ext.app import build_app
from localstripe_ext.common import STATE


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
async def serve(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', args.port))
    port = sock.getsockname()[1]
    STATE['base_url'] = 'http://127.0.0.1:%d' % port

    runner = web.AppRunner(build_app(), access_log=(
        logging.getLogger('aiohttp.access') if args.log_file else None))
    await runner.setup()
    await web.SockSite(runner, sock).start()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        loop.add_reader(sys.stdin.fileno(), lambda: (
            os.read(sys.stdin.fileno(), 4096) or stop.set()))

    print('LISTENING %d' % port, flush=True)
    await stop.wait()
    await runner.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--port', type=int, default=0,
                    help='TCP port on 127.0.0.1 (0 = pick a free one)')
    ap.add_argument('--log-file',
                    help='append access and webhook delivery logs here')
    ap.add_argument('--event-api-version',
                    help='api_version written on events '
                         '(localstripe writes 2017-08-15)')
    ap.add_argument('--account-name', default=STATE['account_name'])
    ap.add_argument('--account-email', default=STATE['account_email'])
    ap.add_argument('--exit-on-stdin-eof', action='store_true',
                    help='also exit when stdin closes (parent died)')
    args = ap.parse_args()
    STATE['event_api_version'] = args.event_api_version
    STATE['account_name'] = args.account_name
    STATE['account_email'] = args.account_email
    if args.log_file:
        handler = logging.FileHandler(args.log_file)
        handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
        for name in ('aiohttp.access', 'aiohttp.server', 'aiohttp.web'):
            logging.getLogger(name).addHandler(handler)
            logging.getLogger(name).setLevel(logging.INFO)
    asyncio.run(serve(args))


if __name__ == '__main__':
    main()
