#!/usr/bin/env python3
"""A small, stateful CRM emulator for Tollgate's ActiveCampaign (API v3) and
Keap (REST v1) connector tests. Standard library only.

    $PY tools/testkit/crm_emulator.py --vendor activecampaign|keap --port 0 \
        --exit-on-stdin-eof [--log-file FILE]

Binds 127.0.0.1 only, prints exactly one stdout line `LISTENING <port>` once
it accepts connections, exits 0 on SIGTERM/SIGINT or (with the flag) when
stdin closes. Shapes, paths and the references they were taken from are in
tools/testkit/CRM.md. Each test makes its own account with
`POST /_emulator/accounts`, so parallel tests never see each other's data.

The emulator is the crm/ package (one module per vendor, plus store, OAuth,
delivery, test controls and the HTTP handler); this file parses the command
line and serves.
"""

import argparse
import http.server
import os
import signal
import sys
import threading

import crm.common
from crm.common import log
from crm.server import make_handler
from crm.store import State


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--vendor', required=True,
                    choices=['activecampaign', 'keap'])
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--log-file')
    ap.add_argument('--exit-on-stdin-eof', action='store_true')
    args = ap.parse_args()
    crm.common.LOG_FILE = args.log_file
    state = State(args.vendor)
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', args.port), make_handler(state, args.vendor))
    server.daemon_threads = True
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.exit_on_stdin_eof:
        def watch():
            while os.read(sys.stdin.fileno(), 4096):
                pass
            stop.set()
        threading.Thread(target=watch, daemon=True).start()
    print('LISTENING %d' % server.server_port, flush=True)
    log('listening on %d as %s' % (server.server_port, args.vendor))
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    sys.exit(0)


if __name__ == '__main__':
    main()
