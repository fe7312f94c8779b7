"""Local webhook endpoints the emulators deliver to, recording raw
deliveries."""

import http.server
import json
import threading
import time


class Receiver:
    """A local webhook endpoint that records raw deliveries."""

    def __init__(self):
        self.deliveries = []  # (headers, raw body)
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                with outer.cond:
                    outer.deliveries.append((dict(self.headers), body))
                    outer.cond.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.url = 'http://127.0.0.1:%d/hook' % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        with self.cond:
            return [json.loads(b) for h, b in self.deliveries]

    def wait_for(self, pred, what, timeout=8):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for h, b in self.deliveries:
                    ev = json.loads(b)
                    if pred(ev):
                        return ev
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(
                        'no delivery of %s; got %s' % (what, [
                            json.loads(b)['type'] for h, b in
                            self.deliveries]))
                self.cond.wait(left)


class CrmReceiver:
    """Records raw deliveries (headers, body); echoes X-Hook-Secret (Keap's
    handshake) unless told not to; answers per-path scripted statuses."""

    def __init__(self):
        self.deliveries = []  # (path, headers, body)
        self.cond = threading.Condition()
        self.echo = True
        self.script = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(n)
                with outer.cond:
                    outer.deliveries.append((self.path, dict(self.headers),
                                             body))
                    outer.cond.notify_all()
                    status = outer.script.pop(0) if outer.script else 200
                self.send_response(status)
                secret = self.headers.get('X-Hook-Secret')
                if secret and outer.echo:
                    self.send_header('X-Hook-Secret', secret)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, pred, what, timeout=5):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for d in self.deliveries:
                    if pred(d):
                        return d
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError('no delivery of %s; got %r'
                                         % (what, self.deliveries))
                self.cond.wait(left)

    def wait_count(self, pred, n, what, timeout=5):
        deadline = time.time() + timeout
        with self.cond:
            while sum(1 for d in self.deliveries if pred(d)) < n:
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError('fewer than %d deliveries: %s'
                                         % (n, what))
                self.cond.wait(left)

    def count(self, pred):
        with self.cond:
            return sum(1 for d in self.deliveries if pred(d))
