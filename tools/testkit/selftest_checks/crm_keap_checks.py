"""The CRM emulator as Keap REST v1."""

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from .harness import NoRedirect, check, http_json, start, stop


def keap_checks(rx):
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
