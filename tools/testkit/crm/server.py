"""The HTTP request handler: routing, auth, the shared API bookkeeping
(request log, scripted failures) and the two vendors' entry points."""

import http.server
import json
import urllib.parse

from .common import HttpError, log, now_iso
from .activecampaign import AC
from .control import control_methods
from .keap import Keap, keap_fault
from .oauth import oauth_methods


# --------------------------------------------------------------------------
# HTTP

def make_handler(state, vendor):
    class Handler(oauth_methods(state), control_methods(state, vendor),
                  http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        server_version = 'crm-emulator/1'

        def log_message(self, fmt, *args):
            log('%s %s' % (self.address_string(), fmt % args))

        def base(self):
            return 'http://127.0.0.1:%d' % self.server.server_port

        def send(self, status, obj, headers=None, ctype='application/json'):
            if obj is None:
                data = b''
            elif isinstance(obj, (bytes, str)):
                data = obj.encode() if isinstance(obj, str) else obj
            else:
                data = json.dumps(obj).encode()
            self.send_response(status)
            if data or status not in (204, 302):
                self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(data)

        def read_body(self):
            n = int(self.headers.get('Content-Length') or 0)
            return self.rfile.read(n) if n else b''

        def json_body(self, raw):
            if not raw.strip():
                return None
            try:
                return json.loads(raw)
            except ValueError:
                raise HttpError(400, {'message': 'Malformed JSON body'})

        def do_GET(self):
            self.dispatch('GET')

        def do_POST(self):
            self.dispatch('POST')

        def do_PUT(self):
            self.dispatch('PUT')

        def do_DELETE(self):
            self.dispatch('DELETE')

        def do_PATCH(self):
            self.dispatch('PATCH')

        def dispatch(self, method):
            raw = self.read_body()
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            segs = [urllib.parse.unquote(s) for s in path.split('/') if s]
            try:
                if segs[:1] == ['_emulator']:
                    return self.control(method, segs[1:], raw)
                if vendor == 'activecampaign':
                    return self.ac(method, segs, query, raw, path)
                return self.keap(method, segs, query, raw, path)
            except HttpError as e:
                self.send(e.status, e.body, e.headers)
            except Exception as e:  # noqa: BLE001
                log('error: %r' % e)
                import traceback
                traceback.print_exc()
                self.send(500, {'message': 'emulator error: %s' % e})

        # ---- shared API bookkeeping
        def api_preamble(self, acct, method, path):
            """Log the call and apply a scripted failure. Lock held."""
            full = self.path
            entry = {'method': method, 'path': full, 'time': now_iso()}
            acct.requests.append(entry)
            f = acct.fail
            if f and f['count'] > 0:
                f['count'] -= 1
                if f['count'] <= 0:
                    acct.fail = None
                status = f['status']
                entry['status'] = status
                headers = {}
                if status == 429:
                    headers['Retry-After'] = str(f.get('retry_after', 1))
                    if vendor == 'activecampaign':
                        body = {'message': 'Too Many Requests'}
                    else:
                        body = keap_fault('Spike arrest violation. Allowed '
                                          'rate : 10ps',
                                          'policies.ratelimit.'
                                          'SpikeArrestViolation')
                        headers['x-keap-product-throttle-limit'] = '10'
                        headers['x-keap-product-throttle-available'] = '0'
                elif vendor == 'activecampaign':
                    body = {'message': 'Internal Server Error'} \
                        if status == 500 else {'message': 'Service Unavailable'}
                else:
                    body = {'message': 'Internal Server Error'} \
                        if status == 500 else keap_fault(
                            'The Service is temporarily unavailable',
                            'messaging.adaptors.http.flow.'
                            'ServiceUnavailable')
                raise HttpError(status, body, headers)
            return entry

        # ---- ActiveCampaign
        def ac(self, method, segs, query, raw, path):
            with state.lock:
                acct = state.accounts.get(segs[0]) if segs else None
            if acct is None or segs[1:3] != ['api', '3']:
                return self.send(404, '<html><body><h1>404 Not Found</h1>'
                                 '</body></html>', ctype='text/html')
            key = self.headers.get('Api-Token')
            if key != acct.api_key:
                with state.lock:
                    acct.requests.append({'method': method, 'path': self.path,
                                          'time': now_iso(), 'status': 403})
                raise HttpError(403, {'message': 'You are not authorized to '
                                      'access this resource'})
            body = self.json_body(raw)
            with state.lock:
                entry = self.api_preamble(acct, method, path)
                try:
                    status, obj = AC(state, self.base()).handle(
                        method, segs[3:], query, body, self.headers, acct)
                except HttpError as e:
                    entry['status'] = e.status
                    raise
                entry['status'] = status
            self.send(status, obj)

        # ---- Keap
        def keap_account(self, method):
            key = self.headers.get('X-Keap-API-Key')
            authz = self.headers.get('Authorization') or ''
            with state.lock:
                if key:
                    slug = state.by_key.get(key)
                    if not slug:
                        raise HttpError(401, keap_fault(
                            'Invalid ApiKey', 'oauth.v2.InvalidApiKey'))
                    return state.accounts[slug]
                if authz.lower().startswith('bearer '):
                    tok = authz[7:].strip()
                    info = state.access.get(tok)
                    if not info:
                        raise HttpError(401, keap_fault(
                            'Invalid Access Token',
                            'keymanagement.service.invalid_access_token'))
                    if info['expired']:
                        raise HttpError(401, keap_fault(
                            'Access Token expired',
                            'keymanagement.service.access_token_expired'))
                    return state.accounts[info['slug']]
            raise HttpError(401, keap_fault(
                'Invalid Access Token',
                'keymanagement.service.invalid_access_token'))

        def keap(self, method, segs, query, raw, path):
            if segs == ['app', 'oauth', 'authorize'] and method == 'GET':
                return self.authorize(query)
            if segs == ['token'] and method == 'POST':
                return self.token(raw)
            if segs[:3] != ['crm', 'rest', 'v1']:
                raise HttpError(404, {'message': 'Not Found'})
            acct = self.keap_account(method)
            body = self.json_body(raw)
            k = Keap(state, self.base())
            with state.lock:
                entry = self.api_preamble(acct, method, path)
                try:
                    res = k.handle(method, segs[3:], query, body,
                                   self.headers, acct, path)
                except HttpError as e:
                    entry['status'] = e.status
                    raise
                entry['status'] = res[0]
            if len(res) == 4:  # hook handshake, made without the lock
                h = res[3]
                status = k.verify_hook(acct, h)
                with state.lock:
                    h['status'] = status
                    obj = k.hook_json(h)
                return self.send(200, obj)
            self.send(res[0], res[1])

    return Handler
