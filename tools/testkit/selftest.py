#!/usr/bin/env python3
"""Self test of tools/testkit, over real HTTP and SMTP.

    PY=$(tools/testkit/setup.sh) && "$PY" tools/testkit/selftest.py

Starts localstripe_launcher.py and smtp_sink.py as subprocesses and checks
what Tollgate's tests rely on; every webhook delivery's Stripe-Signature is
verified with stripe-python's own stripe.Webhook.construct_event. Ends with
`N passed, N failed` and exits non-zero on any failure.
"""

import base64
import http.server
import json
import os
import select
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import stripe

HERE = os.path.dirname(os.path.abspath(__file__))
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


def crm_selftest():
    rx = CrmReceiver()

    def form_of(d):
        return {k: v[-1] for k, v in
                urllib.parse.parse_qs(d[2].decode()).items()}

    # ---------------------------------------------------------------- AC
    ac, port = start('crm_emulator.py', '--vendor', 'activecampaign')
    base = 'http://127.0.0.1:%d' % port
    w = {}
    try:
        @check('crm/ac: accounts isolated; bad key 403; bad slug 404')
        def _():
            s, _, a = http_json('POST', base + '/_emulator/accounts',
                                {'name': 'club'})
            assert s == 201 and a['api_url'] == '%s/%s' % (base, a['account'])
            s, _, b = http_json('POST', base + '/_emulator/accounts', {})
            w['a'], w['b'] = a, b
            w['api'] = a['api_url'] + '/api/3'
            w['h'] = {'Api-Token': a['api_key']}
            s, _, me = http_json('GET', w['api'] + '/users/me', headers=w['h'])
            assert s == 200 and me['user']['id'] == '1', me
            s, _, err = http_json('GET', w['api'] + '/users/me',
                                  headers={'Api-Token': b['api_key']})
            assert s == 403 and err == {'message': 'You are not authorized '
                                        'to access this resource'}, err
            s, _, _ = http_json('GET', base + '/nope/api/3/users/me',
                                headers=w['h'])
            assert s == 404

        @check('crm/ac: tags create/search/get, duplicate 422, pagination')
        def _():
            api, h = w['api'], w['h']
            s, _, t = http_json('POST', api + '/tags', {'tag': {
                'tag': 'Gold member', 'tagType': 'contact',
                'description': 'g'}}, h)
            assert s == 201 and t['tag']['tag'] == 'Gold member'
            assert isinstance(t['tag']['id'], str)
            w['tag'] = t['tag']['id']
            s, _, e = http_json('POST', api + '/tags',
                                {'tag': {'tag': 'gold MEMBER'}}, h)
            assert s == 422 and e['errors'][0]['code'] == 'duplicate', e
            for i in range(3):
                http_json('POST', api + '/tags', {'tag': {'tag': 'x%d' % i}}, h)
            s, _, l = http_json('GET', api + '/tags?search=gold', headers=h)
            assert [x['id'] for x in l['tags']] == [w['tag']]
            assert l['meta']['total'] == '1'
            s, _, l = http_json('GET', api + '/tags?limit=2&offset=2',
                                headers=h)
            assert len(l['tags']) == 2 and l['meta']['total'] == '4'
            s, _, g = http_json('GET', api + '/tags/' + w['tag'], headers=h)
            assert g['tag']['tag'] == 'Gold member'
            s, _, e = http_json('GET', api + '/tags/999', headers=h)
            assert s == 404 and e['message'] == \
                'No Result found for Tag with id 999'
            # the other account sees none of it
            s, _, l = http_json('GET', w['b']['api_url'] + '/api/3/tags',
                                headers={'Api-Token': w['b']['api_key']})
            assert l['tags'] == [] and l['meta']['total'] == '0'

        @check('crm/ac: contact sync 201/200/422, find by email')
        def _():
            api, h = w['api'], w['h']
            c = {'contact': {'email': 'ada@example.test', 'firstName': 'Ada',
                             'lastName': 'L'}}
            s, _, r = http_json('POST', api + '/contact/sync', c, h)
            assert s == 201 and r['contact']['firstName'] == 'Ada'
            w['cid'] = r['contact']['id']
            c['contact']['firstName'] = 'Ada2'
            s, _, r = http_json('POST', api + '/contact/sync', c, h)
            assert s == 200 and r['contact']['id'] == w['cid']
            s, _, e = http_json('POST', api + '/contact/sync',
                                {'contact': {'email': 'nope'}}, h)
            assert s == 422 and e['errors'][0]['source']['pointer'] == \
                '/data/attributes/email'
            s, _, l = http_json('GET', api + '/contacts?email=ada%40example.test',
                                headers=h)
            assert [x['id'] for x in l['contacts']] == [w['cid']]
            assert l['meta']['total'] == '1'

        @check('crm/ac: webhook + API/admin tag changes, form-encoded')
        def _():
            api, h = w['api'], w['h']
            s, _, r = http_json('POST', api + '/webhooks', {'webhook': {
                'name': 'tollgate', 'url': rx.url + '/ac',
                'events': ['contact_tag_added', 'contact_tag_removed'],
                'sources': ['public', 'admin', 'api', 'system']}}, h)
            assert s == 201 and r['webhook']['id'], r
            w['hook'] = r['webhook']['id']
            s, _, l = http_json('GET', api + '/webhooks', headers=h)
            assert [x['id'] for x in l['webhooks']] == [w['hook']]
            s, _, r = http_json('POST', api + '/contactTags', {'contactTag': {
                'contact': w['cid'], 'tag': w['tag']}}, h)
            assert s == 201 and r['contactTag']['tag'] == w['tag']
            ct = r['contactTag']['id']
            s, _, again = http_json('POST', api + '/contactTags', {
                'contactTag': {'contact': w['cid'], 'tag': w['tag']}}, h)
            assert s == 201 and again['contactTag']['id'] == ct
            d = rx.wait(lambda d: d[0] == '/ac' and
                        form_of(d).get('type') == 'contact_tag_added',
                        'ac tag added')
            assert d[1]['Content-Type'] == 'application/x-www-form-urlencoded'
            f = form_of(d)
            assert f['initiated_from'] == 'api' and f['tag'] == 'Gold member'
            assert f['contact[id]'] == w['cid']
            assert f['contact[email]'] == 'ada@example.test'
            assert f['contact[tags]'] == 'Gold member' and f['list'] == '0'
            s, _, l = http_json('GET', api + '/contacts/%s/contactTags'
                                % w['cid'], headers=h)
            assert [x['id'] for x in l['contactTags']] == [ct]
            s, _, l = http_json('GET', api + '/contacts?tagid=%s' % w['tag'],
                                headers=h)
            assert [x['id'] for x in l['contacts']] == [w['cid']]
            s, _, r = http_json('DELETE', api + '/contactTags/' + ct,
                                headers=h)
            assert s == 200 and r == {}
            s, _, r = http_json('DELETE', api + '/contactTags/' + ct,
                                headers=h)
            assert s == 404
            rx.wait(lambda d: d[0] == '/ac' and
                    form_of(d).get('type') == 'contact_tag_removed',
                    'ac tag removed')
            # as a person in the CRM's UI
            ctl = base + '/_emulator/' + w['a']['account']
            s, _, tag = http_json('POST', ctl + '/tags', {'name': 'Silver'})
            s, _, c = http_json('POST', ctl + '/contacts', {
                'email': 'bo@example.test', 'first_name': 'Bo',
                'last_name': 'B'})
            s, _, _ = http_json('POST', ctl + '/contacts/%d/tags/%d'
                                % (c['id'], tag['id']))
            d = rx.wait(lambda d: d[0] == '/ac' and
                        form_of(d).get('tag') == 'Silver', 'admin add')
            assert form_of(d)['initiated_from'] == 'admin'
            assert form_of(d)['contact[first_name]'] == 'Bo'
            w['bo'], w['silver'] = c['id'], tag['id']

        @check('crm/ac: pause drops webhooks; 410 deactivates; 429/503')
        def _():
            ctl = base + '/_emulator/' + w['a']['account']
            path = ctl + '/contacts/%d/tags/%d' % (w['bo'], w['silver'])
            n = rx.count(lambda d: d[0] == '/ac')
            http_json('POST', ctl + '/webhooks/pause')
            http_json('DELETE', path)
            http_json('POST', ctl + '/webhooks/resume')
            http_json('POST', path)
            rx.wait_count(lambda d: d[0] == '/ac', n + 1, 'after resume')
            last = form_of(rx.deliveries[-1])
            assert last['type'] == 'contact_tag_added', last
            assert last['tag'] == 'Silver'
            with rx.cond:
                rx.script.append(410)
            http_json('DELETE', path)
            rx.wait_count(lambda d: d[0] == '/ac', n + 2, '410 answer')
            time.sleep(0.2)
            s, _, st = http_json('GET', ctl + '/state')
            assert st['webhooks'][0]['state'] == 'inactive', st['webhooks']
            http_json('POST', path)
            time.sleep(0.3)
            assert rx.count(lambda d: d[0] == '/ac') == n + 2
            http_json('POST', ctl + '/fail', {'status': 429, 'count': 2,
                                              'retry_after': 3})
            for _ in range(2):
                s, hh, _ = http_json('GET', w['api'] + '/users/me',
                                     headers=w['h'])
                assert s == 429 and hh['Retry-After'] == '3', (s, hh)
            s, _, _ = http_json('GET', w['api'] + '/users/me', headers=w['h'])
            assert s == 200
            http_json('POST', ctl + '/fail', {'status': 503, 'count': 1})
            assert http_json('GET', w['api'] + '/users/me',
                             headers=w['h'])[0] == 503
            s, _, st = http_json('GET', ctl + '/state')
            assert sum(1 for r in st['requests']
                       if r['path'].endswith('/users/me')) >= 6
            assert st['contacts'][0]['email'] == 'ada@example.test'
    finally:
        stop(ac)

    # -------------------------------------------------------------- Keap
    kp, port = start('crm_emulator.py', '--vendor', 'keap')
    base = 'http://127.0.0.1:%d' % port
    k = {}
    try:
        @check('crm/keap: API key auth, faults, profile')
        def _():
            s, _, a = http_json('POST', base + '/_emulator/accounts',
                                {'name': 'gym'})
            assert s == 201 and a['api_url'] == base + '/crm/rest'
            k['a'] = a
            k['api'] = a['api_url'] + '/v1'
            k['h'] = {'X-Keap-API-Key': a['api_key']}
            s, _, p = http_json('GET', k['api'] + '/account/profile',
                                headers=k['h'])
            assert s == 200 and p['name'] == 'gym'
            s, _, e = http_json('GET', k['api'] + '/account/profile',
                                headers={'X-Keap-API-Key': 'wrong'})
            assert s == 401 and e['fault']['detail']['errorcode'] == \
                'oauth.v2.InvalidApiKey', e
            s, _, e = http_json('GET', k['api'] + '/account/profile',
                                headers={'Authorization': 'Bearer nope'})
            assert s == 401 and 'fault' in e

        @check('crm/keap: tags, contacts upsert, apply/remove, pagination')
        def _():
            api, h = k['api'], k['h']
            s, _, t = http_json('POST', api + '/tags', {'name': 'Gold',
                                                        'description': 'g'}, h)
            assert s == 201 and isinstance(t['id'], int)
            k['tag'] = t['id']
            for i in range(3):
                http_json('POST', api + '/tags', {'name': 'T%d' % i}, h)
            s, _, l = http_json('GET', api + '/tags?name=Gold', headers=h)
            assert [x['id'] for x in l['tags']] == [k['tag']]
            assert l['count'] == 1 and 'next' not in l
            s, _, l = http_json('GET', api + '/tags?limit=2&offset=0',
                                headers=h)
            assert len(l['tags']) == 2 and l['count'] == 4
            assert 'offset=2' in l['next'], l
            s, _, e = http_json('GET', api + '/tags/999', headers=h)
            assert s == 404 and 'message' in e
            body = {'email_addresses': [{'email': 'cy@example.test',
                                         'field': 'EMAIL1'}],
                    'given_name': 'Cy', 'family_name': 'C',
                    'duplicate_option': 'Email'}
            s, _, c = http_json('PUT', api + '/contacts', body, h)
            assert s == 201 and c['given_name'] == 'Cy'
            k['cid'] = c['id']
            s, _, c2 = http_json('PUT', api + '/contacts', body, h)
            assert s == 200 and c2['id'] == c['id']
            s, _, l = http_json('GET', api + '/contacts?email=cy%40example.test',
                                headers=h)
            assert [x['id'] for x in l['contacts']] == [k['cid']]
            assert l['count'] == 1
            s, _, r = http_json('POST', api + '/contacts/%d/tags' % k['cid'],
                                {'tagIds': [k['tag']]}, h)
            assert s == 200 and r == {str(k['tag']): 'SUCCESS'}, r
            s, _, l = http_json('GET', api + '/contacts/%d/tags' % k['cid'],
                                headers=h)
            assert l['tags'][0]['tag']['id'] == k['tag'] and l['count'] == 1
            assert l['tags'][0]['date_applied']
            s, _, l = http_json('GET', api + '/tags/%d/contacts' % k['tag'],
                                headers=h)
            assert l['contacts'][0]['contact']['email'] == 'cy@example.test'
            s, _, _ = http_json('DELETE', api + '/contacts/%d/tags/%d'
                                % (k['cid'], k['tag']), headers=h)
            assert s == 204
            s, _, l = http_json('GET', api + '/contacts/%d/tags' % k['cid'],
                                headers=h)
            assert l['tags'] == [] and l['count'] == 0

        @check('crm/keap: REST hook handshake, JSON events, pause')
        def _():
            api, h = k['api'], k['h']
            s, _, hook = http_json('POST', api + '/hooks', {
                'eventKey': 'contactGroup.applied',
                'hookUrl': rx.url + '/keap'}, h)
            assert s == 200 and hook['status'] == 'Verified', hook
            hs = rx.wait(lambda d: d[0] == '/keap' and
                         'X-Hook-Secret' in d[1], 'handshake')
            assert hs[2] == b''
            rx.echo = False
            s, _, bad = http_json('POST', api + '/hooks', {
                'eventKey': 'contactGroup.removed',
                'hookUrl': rx.url + '/keap-bad'}, h)
            assert bad['status'] == 'Unverified'
            rx.echo = True
            s, _, again = http_json('POST', api + '/hooks/%s/verify'
                                    % bad['key'], headers=h)
            assert again['status'] == 'Verified'
            s, _, l = http_json('GET', api + '/hooks', headers=h)
            assert {x['key'] for x in l} == {hook['key'], bad['key']}
            s, _, e = http_json('POST', api + '/hooks', {
                'eventKey': 'contact.tag.applied', 'hookUrl': rx.url}, h)
            assert s == 400
            http_json('POST', api + '/contacts/%d/tags' % k['cid'],
                      {'tagIds': [k['tag']]}, h)
            d = rx.wait(lambda d: d[0] == '/keap' and d[2], 'applied event')
            ev = json.loads(d[2])
            assert d[1]['Content-Type'] == 'application/json'
            assert ev['event_key'] == 'contactGroup.applied'
            assert ev['object_type'] == 'contactGroup'
            ok = ev['object_keys'][0]
            assert ok['id'] == k['tag'] and ok['timestamp']
            assert ok['contact_details'] == [{'id': k['cid']}]
            ctl = base + '/_emulator/' + k['a']['account']
            http_json('POST', ctl + '/webhooks/pause')
            http_json('DELETE', ctl + '/contacts/%d/tags/%d'
                      % (k['cid'], k['tag']))
            http_json('POST', ctl + '/webhooks/resume')
            http_json('POST', ctl + '/contacts/%d/tags/%d'
                      % (k['cid'], k['tag']))
            http_json('DELETE', ctl + '/contacts/%d/tags/%d'
                      % (k['cid'], k['tag']))
            rx.wait(lambda d: d[0] == '/keap-bad' and d[2], 'removed event')
            time.sleep(0.2)
            assert rx.count(lambda d: d[0] == '/keap-bad' and d[2]) == 1
            assert rx.count(lambda d: d[0] == '/keap' and d[2]) == 2
            s, _, _ = http_json('DELETE', api + '/hooks/' + bad['key'],
                                headers=h)
            assert s == 204

        @check('crm/keap: OAuth code -> token -> refresh rotation; 429')
        def _():
            a = k['a']
            opener = urllib.request.build_opener(NoRedirect)
            q = urllib.parse.urlencode({
                'client_id': a['client_id'], 'response_type': 'code',
                'redirect_uri': 'http://127.0.0.1:1/cb', 'scope': 'full',
                'state': 'xyz'})
            try:
                opener.open(a['authorize_url'] + '?' + q, timeout=10)
                raise AssertionError('no redirect')
            except urllib.error.HTTPError as e:
                assert e.code == 302
                loc = urllib.parse.urlsplit(e.headers['Location'])
            got = dict(urllib.parse.parse_qsl(loc.query))
            assert got['state'] == 'xyz' and got['code']
            s, _, t = http_json('POST', a['token_url'], form={
                'grant_type': 'authorization_code', 'code': got['code'],
                'redirect_uri': 'http://127.0.0.1:1/cb',
                'client_id': a['client_id'],
                'client_secret': a['client_secret']})
            assert s == 200 and t['token_type'] == 'bearer', t
            assert t['expires_in'] > 0 and t['refresh_token']
            s, _, e = http_json('POST', a['token_url'], form={
                'grant_type': 'authorization_code', 'code': got['code'],
                'redirect_uri': 'http://127.0.0.1:1/cb',
                'client_id': a['client_id'],
                'client_secret': a['client_secret']})
            assert s == 400 and e['error'] == 'invalid_grant'
            bearer = {'Authorization': 'Bearer ' + t['access_token']}
            assert http_json('GET', k['api'] + '/account/profile',
                             headers=bearer)[0] == 200
            ctl = base + '/_emulator/' + a['account']
            http_json('POST', ctl + '/expire_tokens')
            s, _, e = http_json('GET', k['api'] + '/account/profile',
                                headers=bearer)
            assert s == 401 and 'expired' in e['fault']['faultstring']
            basic = base64.b64encode(('%s:%s' % (
                a['client_id'], a['client_secret'])).encode()).decode()
            s, _, t2 = http_json('POST', a['token_url'], form={
                'grant_type': 'refresh_token',
                'refresh_token': t['refresh_token']},
                headers={'Authorization': 'Basic ' + basic})
            assert s == 200 and t2['refresh_token'] != t['refresh_token']
            s, _, e = http_json('POST', a['token_url'], form={
                'grant_type': 'refresh_token',
                'refresh_token': t['refresh_token']},
                headers={'Authorization': 'Basic ' + basic})
            assert s == 400 and e['error'] == 'invalid_grant', e
            bearer = {'Authorization': 'Bearer ' + t2['access_token']}
            assert http_json('GET', k['api'] + '/account/profile',
                             headers=bearer)[0] == 200
            http_json('POST', ctl + '/fail', {'status': 429, 'count': 1,
                                              'retry_after': 2})
            s, hh, e = http_json('GET', k['api'] + '/account/profile',
                                 headers=bearer)
            assert s == 429 and hh['Retry-After'] == '2' and 'fault' in e
            s, _, st = http_json('GET', ctl + '/state')
            assert st['contacts'][0]['tag_ids'] == []
            assert any(r['path'] == '/token' for r in st['requests'])
    finally:
        stop(kp)
    rx.server.shutdown()


def main():
    t_start = time.time()
    ls, port = start('localstripe_launcher.py')
    base = 'http://127.0.0.1:%d' % port
    stripe.api_key = API_KEY
    stripe.api_base = base
    stripe.max_network_retries = 0
    hook = Receiver()
    w = {}  # shared state between steps

    @check('account retrieve; an "invalid" key is refused')
    def _():
        acct = stripe.Account.retrieve()
        assert acct.id == 'acct_localstripe' and acct.object == 'account'
        assert acct.business_profile.name
        assert acct.settings.dashboard.display_name and acct.email
        try:
            stripe.Account.retrieve(api_key='sk_test_invalid_key')
            raise AssertionError('invalid key accepted')
        except stripe.AuthenticationError:
            pass

    @check('webhook endpoint create/retrieve/list/update')
    def _():
        we = stripe.WebhookEndpoint.create(
            url=hook.url, enabled_events=['*'], api_version='2026-09-30',
            description='selftest', metadata={'app': 'tollgate'})
        assert we.object == 'webhook_endpoint' and we.status == 'enabled'
        assert we.secret.startswith('whsec_')
        assert we.api_version == '2026-09-30'
        w['secret'], w['we'] = we.secret, we.id
        again = stripe.WebhookEndpoint.retrieve(we.id)
        assert 'secret' not in again and again.url == hook.url
        assert we.id in [e.id for e in stripe.WebhookEndpoint.list().data]
        upd = stripe.WebhookEndpoint.modify(we.id, description='selftest 2')
        assert upd.description == 'selftest 2' and 'secret' not in upd

    @check('product + recurring/one-time prices; list/retrieve/update')
    def _():
        prod = stripe.Product.create(name='Gold membership')
        price = stripe.Price.create(
            product=prod.id, currency='usd', unit_amount=1500,
            recurring={'interval': 'month', 'interval_count': 1},
            nickname='Gold monthly', metadata={'tier': 'gold'})
        assert price.object == 'price' and price.type == 'recurring'
        assert price.recurring.interval == 'month'
        assert price.unit_amount == 1500 and price.product == prod.id
        once = stripe.Price.create(product=prod.id, currency='usd',
                                   unit_amount=9900, nickname='Lifetime')
        assert once.type == 'one_time' and once.recurring is None
        listed = stripe.Price.list(product=prod.id, active=True, limit=1)
        assert len(listed.data) == 1 and listed.has_more
        rest = stripe.Price.list(product=prod.id,
                                 starting_after=listed.data[0].id)
        assert {listed.data[0].id, rest.data[0].id} == {price.id, once.id}
        assert stripe.Price.retrieve(price.id).nickname == 'Gold monthly'
        upd = stripe.Price.modify(price.id, nickname='Gold / month',
                                  metadata={'x': '1'})
        assert upd.nickname == 'Gold / month'
        assert upd.metadata.to_dict() == {'tier': 'gold', 'x': '1'}
        assert stripe.Plan.retrieve(price.id).amount == 1500
        w['prod'], w['price'], w['once'] = prod.id, price.id, once.id
        ev = hook.wait_for(lambda e: e['type'] == 'price.updated',
                           'price.updated')
        assert ev['data']['previous_attributes']['nickname'] == 'Gold monthly'
        hook.wait_for(lambda e: e['type'] == 'price.created' and
                      e['data']['object']['id'] == once.id, 'price.created')

    @check('customer with card + subscription on a price')
    def _():
        cus = stripe.Customer.create(email='ada@example.test', name='Ada')
        pm = stripe.PaymentMethod.attach('pm_card_visa', customer=cus.id)
        stripe.Customer.modify(
            cus.id, invoice_settings={'default_payment_method': pm.id})
        sub = stripe.Subscription.create(customer=cus.id,
                                         items=[{'price': w['price']}])
        assert sub.status == 'active', sub.status
        item = sub['items'].data[0]
        assert item.price.id == w['price'] and item.price.object == 'price'
        assert item.plan.id == w['price'] and item.subscription == sub.id
        assert item.current_period_end > item.current_period_start
        w['cus'], w['sub'] = cus.id, sub.id
        try:
            stripe.Subscription.create(customer=cus.id,
                                       items=[{'price': w['once']}])
            raise AssertionError('one-time price accepted on subscription')
        except stripe.InvalidRequestError:
            pass

    @check('delivery: customer.subscription.created')
    def _():
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.created' and
            e['data']['object']['id'] == w['sub'], 'subscription.created')
        assert ev['data']['object']['status'] == 'active'

    @check('delivery: customer.subscription.updated (cancel at period end)')
    def _():
        sub = stripe.Subscription.modify(w['sub'], cancel_at_period_end=True,
                                         proration_behavior='none')
        assert sub.cancel_at_period_end is True
        assert sub.cancel_at == sub.current_period_end and sub.canceled_at
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.updated' and
            e['data']['object']['id'] == w['sub'], 'subscription.updated')
        prev = ev['data']['previous_attributes']
        assert prev['cancel_at_period_end'] is False, prev
        assert ev['data']['object']['cancel_at_period_end'] is True

    @check('delivery: customer.subscription.updated (testkit status)')
    def _():
        post(base, '/_testkit/subscriptions/%s/status' % w['sub'],
             status='past_due')
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.updated' and
            e['data'].get('previous_attributes', {}).get('status') ==
            'active', 'status update')
        assert ev['data']['object']['status'] == 'past_due'

    @check('delivery: customer.subscription.deleted')
    def _():
        sub = stripe.Subscription.cancel(w['sub'])
        assert sub.status == 'canceled' and sub.ended_at
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.deleted' and
            e['data']['object']['id'] == w['sub'], 'subscription.deleted')
        assert ev['data']['object']['status'] == 'canceled'

    @check('checkout (subscription mode) + testkit complete')
    def _():
        s = stripe.checkout.Session.create(
            mode='subscription', customer_email='bob@example.test',
            line_items=[{'price': w['price'], 'quantity': 1}],
            client_reference_id='user-42', metadata={'order': '7'},
            success_url='http://127.0.0.1/ok?s={CHECKOUT_SESSION_ID}',
            cancel_url='http://127.0.0.1/cancel',
            allow_promotion_codes=True,
            subscription_data={'metadata': {'member': '42'}})
        assert s.object == 'checkout.session' and s.status == 'open'
        assert s.url == '%s/checkout/%s' % (base, s.id)
        assert s.amount_total == 1500 and s.payment_status == 'unpaid'
        assert stripe.checkout.Session.retrieve(s.id).client_reference_id \
            == 'user-42'
        assert s.id in [x.id for x in stripe.checkout.Session.list().data]
        li = stripe.checkout.Session.list_line_items(s.id)
        assert li.data[0].price.id == w['price'] and li.data[0].quantity == 1
        done = post(base, '/_testkit/checkout/sessions/%s/complete' % s.id)
        assert done['status'] == 'complete'
        assert done['payment_status'] == 'paid'
        assert done['customer'].startswith('cus_')
        assert done['subscription'].startswith('sub_')
        assert done['customer_details']['email'] == 'bob@example.test'
        ev = hook.wait_for(
            lambda e: e['type'] == 'checkout.session.completed' and
            e['data']['object']['id'] == s.id, 'checkout.session.completed')
        obj = ev['data']['object']
        assert obj['client_reference_id'] == 'user-42'
        assert obj['metadata'] == {'order': '7'}
        sub = stripe.Subscription.retrieve(obj['subscription'])
        assert sub.status == 'active' and sub.customer == obj['customer']
        assert sub.metadata.to_dict() == {'member': '42'}
        assert sub.default_payment_method.startswith('pm_')
        full = stripe.checkout.Session.retrieve(s.id, expand=['line_items'])
        assert full.line_items.data[0].price.id == w['price']

    @check('checkout: trial, payment mode, payment link')
    def _():
        s = stripe.checkout.Session.create(
            mode='subscription', line_items=[{'price': w['price']}],
            success_url='http://127.0.0.1/ok',
            subscription_data={'trial_period_days': 7})
        done = post(base, '/_testkit/checkout/sessions/%s/complete' % s.id,
                    email='tia@example.test')
        assert done['payment_status'] == 'no_payment_required'
        sub = stripe.Subscription.retrieve(done['subscription'])
        assert sub.status == 'trialing' and sub.trial_end
        assert sub.current_period_end == sub.trial_end

        s = stripe.checkout.Session.create(
            mode='payment', line_items=[{'price': w['once'], 'quantity': 2}],
            customer=w['cus'], success_url='http://127.0.0.1/ok')
        done = post(base, '/_testkit/checkout/sessions/%s/complete' % s.id)
        assert done['customer'] == w['cus'] and done['amount_total'] == 19800
        pi = stripe.PaymentIntent.retrieve(done['payment_intent'])
        assert pi.status == 'succeeded' and pi.amount == 19800

        link = stripe.PaymentLink.create(
            line_items=[{'price': w['once'], 'quantity': 1}],
            metadata={'product': 'lifetime'},
            after_completion={'type': 'redirect',
                              'redirect': {'url': 'http://127.0.0.1/thanks'}})
        assert link.object == 'payment_link' and link.active
        assert link.url.startswith(base + '/pay/')
        assert stripe.PaymentLink.retrieve(link.id).metadata.product == \
            'lifetime'
        assert link.id in [x.id for x in stripe.PaymentLink.list().data]
        cs = post(base, '/_testkit/payment_links/%s/checkout' % link.id)
        assert cs['payment_link'] == link.id and cs['mode'] == 'payment'
        done = post(base, '/_testkit/checkout/sessions/%s/complete'
                    % cs['id'], email='guest@example.test')
        assert done['customer'] is None  # customer_creation=if_required
        assert done['customer_details']['email'] == 'guest@example.test'
        off = stripe.PaymentLink.modify(link.id, active=False)
        assert off.active is False
        status, _ = get_status(link.url)
        assert status == 400, status
        status, page = get_status(stripe.checkout.Session.create(
            mode='payment', line_items=[{'price': w['once']}],
            success_url='http://127.0.0.1/ok').url)
        assert status == 200 and 'id="pay"' in page

    @check('billing portal configuration + session')
    def _():
        c = stripe.billing_portal.Configuration.create(
            business_profile={
                'privacy_policy_url': 'https://example.test/privacy',
                'terms_of_service_url': 'https://example.test/terms'},
            features={'subscription_cancel': {'enabled': True,
                                              'mode': 'at_period_end'}},
            default_return_url='https://example.test/account',
            metadata={'app': 'tollgate'})
        assert c.object == 'billing_portal.configuration' and c.active
        assert c.features.subscription_cancel.enabled is True
        assert c.features.subscription_cancel.mode == 'at_period_end'
        assert c.business_profile.privacy_policy_url.endswith('/privacy')
        c = stripe.billing_portal.Configuration.modify(
            c.id, features={'subscription_cancel': {'mode': 'immediately'}})
        assert c.features.subscription_cancel.mode == 'immediately'
        assert c.features.subscription_cancel.enabled is True
        assert stripe.billing_portal.Configuration.retrieve(c.id).id == c.id
        assert c.id in [
            x.id for x in stripe.billing_portal.Configuration.list().data]
        ps = stripe.billing_portal.Session.create(customer=w['cus'],
                                                  configuration=c.id)
        assert ps.object == 'billing_portal.session'
        assert ps.url == '%s/billing_portal/%s' % (base, ps.id)
        assert ps.return_url == 'https://example.test/account'
        status, page = get_status(ps.url)
        assert status == 200 and 'Return' in page

    @check('every delivery verifies with stripe.Webhook.construct_event')
    def _():
        with hook.cond:
            deliveries = list(hook.deliveries)
        assert len(deliveries) >= 10, len(deliveries)
        for headers, body in deliveries:
            ev = stripe.Webhook.construct_event(
                body, headers['Stripe-Signature'], w['secret'])
            assert ev.object == 'event'
        try:
            stripe.Webhook.construct_event(
                deliveries[0][1], deliveries[0][0]['Stripe-Signature'],
                'whsec_wrong')
            raise AssertionError('wrong secret verified')
        except stripe.SignatureVerificationError:
            pass

    @check('webhook endpoint delete stops deliveries')
    def _():
        d = stripe.WebhookEndpoint.delete(w['we'])
        assert d.deleted is True and d.object == 'webhook_endpoint'
        n = len(hook.deliveries)
        stripe.Product.create(name='after delete')
        time.sleep(1.6)  # localstripe delivers ~1 s after the event
        assert len(hook.deliveries) == n

    stop(ls)

    @check('smtp sink: message lands in the JSONL; AUTH accepted')
    def _():
        out = tempfile.mktemp(suffix='.jsonl')
        proc, sport = start('smtp_sink.py', '--out', out)
        try:
            with smtplib.SMTP('127.0.0.1', sport, timeout=10) as s:
                s.login('user', 'pass')
                s.sendmail('from@example.test', ['a@example.test',
                                                 'b@example.test'],
                           'Subject: hi\r\n\r\nhello\r\n')
            rows = [json.loads(x) for x in open(out)]
            assert len(rows) == 1
            assert rows[0]['mail_from'] == 'from@example.test'
            assert rows[0]['rcpt_tos'] == ['a@example.test',
                                           'b@example.test']
            assert 'Subject: hi' in rows[0]['data']
            assert 'hello' in rows[0]['data']
            assert rows[0]['auth_user'] == 'user'
        finally:
            stop(proc)
            os.unlink(out)

    @check('smtp sink: --fail-first 1 answers 451 once')
    def _():
        out = tempfile.mktemp(suffix='.jsonl')
        proc, sport = start('smtp_sink.py', '--out', out, '--fail-first', '1')
        try:
            with smtplib.SMTP('127.0.0.1', sport, timeout=10) as s:
                try:
                    s.sendmail('f@example.test', ['t@example.test'],
                               'Subject: 1\r\n\r\nfirst\r\n')
                    raise AssertionError('first message accepted')
                except smtplib.SMTPDataError as e:
                    assert e.smtp_code == 451, e
                s.sendmail('f@example.test', ['t@example.test'],
                           'Subject: 2\r\n\r\nsecond\r\n')
            rows = [json.loads(x) for x in open(out)]
            assert len(rows) == 1 and 'second' in rows[0]['data']
        finally:
            stop(proc)
            os.unlink(out)

    crm_selftest()

    passed = sum(1 for n, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print('selftest took %.1fs' % (time.time() - t_start))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
