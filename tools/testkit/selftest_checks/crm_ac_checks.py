"""The CRM emulator as ActiveCampaign v3."""

import time
import urllib.parse

from .harness import check, http_json, start, stop


def form_of(d):
    return {k: v[-1] for k, v in
            urllib.parse.parse_qs(d[2].decode()).items()}


def ac_checks(rx):
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
