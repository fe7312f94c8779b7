#!/usr/bin/env python3
"""An SMTP sink for Tollgate's mail tests (aiosmtpd).

    $VENV_PY tools/testkit/smtp_sink.py --port 0 --out /tmp/mail.jsonl

Listens on 127.0.0.1 only. Every accepted message is appended to --out as
one JSON line {"mail_from", "rcpt_tos", "data", "auth_user"} ("data" is the
raw RFC 822 text) and flushed before the 250 reply. No authentication is
required; AUTH PLAIN and LOGIN are advertised (without TLS) and accept any
credentials. --fail-first N answers the first N messages with
`451 4.3.0 try again later` (nothing is written for them), so a client's
retry can be tested. Prints `LISTENING <port>` once ready; exits on
SIGTERM/SIGINT (or stdin EOF with --exit-on-stdin-eof).
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, out, fail_first):
        self.out = out
        self.fail_left = fail_first

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            return '451 4.3.0 try again later'
        raw = envelope.original_content or envelope.content or b''
        if isinstance(raw, bytes):
            raw = raw.decode('utf-8', errors='replace')
        login = session.auth_data
        if isinstance(login, bytes):
            login = login.decode('utf-8', errors='replace')
        line = json.dumps({'mail_from': envelope.mail_from,
                           'rcpt_tos': list(envelope.rcpt_tos),
                           'data': raw,
                           'auth_user': login})
        with open(self.out, 'a', encoding='utf-8') as f:
            f.write(line + '\n')
            f.flush()
        return '250 OK'


def accept_any(server, session, envelope, mechanism, auth_data):
    # auth_data is a LoginPassword for PLAIN/LOGIN; keep only the login.
    login = getattr(auth_data, 'login', None)
    return AuthResult(success=True, auth_data=login)


async def serve(args):
    sink = Sink(args.out, args.fail_first)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', args.port))
    port = sock.getsockname()[1]
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname='tollgate-smtp-sink',
                     auth_require_tls=False, authenticator=accept_any),
        sock=sock)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        loop.add_reader(sys.stdin.fileno(), lambda: (
            os.read(sys.stdin.fileno(), 4096) or stop.set()))

    print('LISTENING %d' % port, flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--port', type=int, default=0,
                    help='TCP port on 127.0.0.1 (0 = pick a free one)')
    ap.add_argument('--out', required=True,
                    help='JSON-lines file that received messages are '
                         'appended to')
    ap.add_argument('--fail-first', type=int, default=0, metavar='N',
                    help='answer the first N messages with a 451')
    ap.add_argument('--exit-on-stdin-eof', action='store_true',
                    help='also exit when stdin closes (parent died)')
    asyncio.run(serve(ap.parse_args()))


if __name__ == '__main__':
    main()
