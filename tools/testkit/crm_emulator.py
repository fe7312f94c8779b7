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
"""

import argparse
import base64
import datetime
import http.server
import json
import os
import queue
import re
import secrets
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

LOG_LOCK = threading.Lock()
LOG_FILE = None


def log(msg):
    if LOG_FILE is None:
        return
    line = '%s %s\n' % (datetime.datetime.now(datetime.timezone.utc)
                        .strftime('%Y-%m-%dT%H:%M:%S.%fZ'), msg)
    with LOG_LOCK:
        with open(LOG_FILE, 'a', encoding='utf-8') as f:
            f.write(line)


def now_iso():
    # ActiveCampaign and Keap both write ISO 8601 with an offset.
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0).isoformat()


def now_keap():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)


class HttpError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


# --------------------------------------------------------------------------
# State

class Account:
    def __init__(self, vendor, slug, name):
        self.vendor = vendor
        self.slug = slug
        self.name = name
        self.api_key = secrets.token_hex(32) if vendor == 'activecampaign' \
            else 'KeapAK-' + secrets.token_hex(24)
        self.client_id = 'emu-' + secrets.token_hex(8)
        self.client_secret = secrets.token_hex(16)
        self.contacts = {}      # id -> dict
        self.tags = {}          # id -> dict
        self.links = {}         # contactTag id -> {id, contact, tag, cdate}
        self.hooks = {}         # AC webhook id / Keap hook key -> dict
        self.requests = []      # API calls: {method, path, time, status}
        self.paused = False
        self.fail = None        # {status, count, retry_after}
        self.next_id = {'contact': 1, 'tag': 1, 'link': 1, 'hook': 1}
        self.queue = queue.Queue()
        self.worker = None

    def new_id(self, kind):
        n = self.next_id[kind]
        self.next_id[kind] = n + 1
        return n

    def link_for(self, contact_id, tag_id):
        for link in self.links.values():
            if link['contact'] == contact_id and link['tag'] == tag_id:
                return link
        return None

    def tag_ids_of(self, contact_id):
        return [l['tag'] for l in sorted(self.links.values(),
                                         key=lambda l: l['id'])
                if l['contact'] == contact_id]


class State:
    def __init__(self, vendor):
        self.vendor = vendor
        self.lock = threading.RLock()
        self.accounts = {}          # slug -> Account
        self.by_key = {}            # api key -> slug
        self.by_client = {}         # client_id -> slug
        self.codes = {}             # code -> {slug, redirect_uri}
        self.access = {}            # access token -> {slug, expired}
        self.refresh = {}           # refresh token -> slug
        self.counter = 0

    def new_account(self, name):
        with self.lock:
            self.counter += 1
            base = re.sub(r'[^a-z0-9]+', '-', (name or 'acct').lower()).strip('-')
            slug = '%s%d' % ((base or 'acct')[:24], self.counter)
            acct = Account(self.vendor, slug, name or slug)
            self.accounts[slug] = acct
            self.by_key[acct.api_key] = slug
            self.by_client[acct.client_id] = slug
            return acct


# --------------------------------------------------------------------------
# Outgoing webhooks: one worker thread per account, in order, never retried.

def enqueue(acct, job):
    """job: dict(url, body(bytes), headers, on_status(callable|None), what)."""
    if acct.paused:
        log('%s: paused, dropped %s to %s' % (acct.slug, job['what'], job['url']))
        return
    acct.queue.put(job)
    if acct.worker is None:
        acct.worker = threading.Thread(target=deliver_loop, args=(acct,),
                                       daemon=True)
        acct.worker.start()


def post_raw(url, body, headers, timeout=10):
    req = urllib.request.Request(url, data=body, method='POST')
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def deliver_loop(acct):
    while True:
        job = acct.queue.get()
        try:
            status, _ = post_raw(job['url'], job['body'], job['headers'])
            log('%s: %s -> %s answered %s' % (acct.slug, job['what'],
                                              job['url'], status))
        except Exception as e:  # noqa: BLE001 - log and drop, no retries
            status = None
            log('%s: %s -> %s failed: %s' % (acct.slug, job['what'],
                                             job['url'], e))
        if job.get('on_status'):
            job['on_status'](status)


# --------------------------------------------------------------------------
# ActiveCampaign v3

AC_EVENTS = {'contact_tag_added', 'contact_tag_removed', 'subscribe',
             'unsubscribe', 'update', 'contact_add'}
AC_SOURCES = {'public', 'admin', 'api', 'system'}


def ac_errors(title, code, pointer, detail=''):
    return {'errors': [{'title': title, 'detail': detail, 'code': code,
                        'source': {'pointer': pointer}}]}


class AC:
    def __init__(self, state, base):
        self.state = state
        self.base = base  # http://127.0.0.1:port

    def api_root(self, acct):
        return '%s/%s/api/3' % (self.base, acct.slug)

    def tag_json(self, acct, t):
        root = self.api_root(acct)
        return {'tagType': t['tagType'], 'tag': t['tag'],
                'description': t['description'], 'cdate': t['cdate'],
                'subscriber_count': str(sum(1 for l in acct.links.values()
                                            if l['tag'] == t['id'])),
                'links': {'contactGoalTags': '%s/tags/%d/contactGoalTags'
                          % (root, t['id'])},
                'id': str(t['id'])}

    def contact_json(self, acct, c):
        root = self.api_root(acct)
        cid = c['id']
        return {'cdate': c['cdate'], 'email': c['email'], 'phone': '',
                'firstName': c['first_name'], 'lastName': c['last_name'],
                'orgid': '0', 'orgname': '', 'deleted': '0',
                'anonymized': '0', 'adate': None, 'udate': c['udate'],
                'edate': None,
                'links': {'contactTags': '%s/contacts/%d/contactTags'
                          % (root, cid),
                          'contactLists': '%s/contacts/%d/contactLists'
                          % (root, cid)},
                'id': str(cid), 'organization': None}

    def link_json(self, acct, l):
        root = self.api_root(acct)
        return {'contact': str(l['contact']), 'tag': str(l['tag']),
                'cdate': l['cdate'], 'created_timestamp': l['ts'],
                'updated_timestamp': l['ts'], 'created_by': None,
                'updated_by': None,
                'links': {'tag': '%s/contactTags/%d/tag' % (root, l['id']),
                          'contact': '%s/contactTags/%d/contact'
                          % (root, l['id'])},
                'id': str(l['id'])}

    def hook_json(self, acct, h):
        root = self.api_root(acct)
        return {'cdate': h['cdate'], 'listid': '0', 'name': h['name'],
                'url': h['url'], 'events': list(h['events']),
                'sources': list(h['sources']), 'state': h['state'],
                'links': {}, 'id': str(h['id'])}

    # -- shared by API and /_emulator
    def find_or_create_contact(self, acct, email, first, last, update=True):
        for c in acct.contacts.values():
            if c['email'].lower() == email.lower():
                if update:
                    if first is not None:
                        c['first_name'] = first
                    if last is not None:
                        c['last_name'] = last
                    c['udate'] = now_iso()
                return c, False
        cid = acct.new_id('contact')
        c = {'id': cid, 'email': email, 'first_name': first or '',
             'last_name': last or '', 'cdate': now_iso(), 'udate': now_iso()}
        acct.contacts[cid] = c
        return c, True

    def apply(self, acct, contact_id, tag_id, source):
        link = acct.link_for(contact_id, tag_id)
        if link:
            return link, False
        lid = acct.new_id('link')
        link = {'id': lid, 'contact': contact_id, 'tag': tag_id,
                'cdate': now_iso(),
                'ts': datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S')}
        acct.links[lid] = link
        self.fire(acct, 'contact_tag_added', contact_id, tag_id, source)
        return link, True

    def remove(self, acct, link, source):
        del acct.links[link['id']]
        self.fire(acct, 'contact_tag_removed', link['contact'], link['tag'],
                  source)

    def fire(self, acct, event, contact_id, tag_id, source):
        c = acct.contacts[contact_id]
        tag = acct.tags[tag_id]
        names = [acct.tags[t]['tag'] for t in acct.tag_ids_of(contact_id)]
        form = [('url', ''), ('type', event), ('date_time', now_iso()),
                ('initiated_by', source), ('initiated_from', source),
                ('list', '0'), ('tag', tag['tag']),
                ('contact[id]', str(c['id'])), ('contact[email]', c['email']),
                ('contact[first_name]', c['first_name']),
                ('contact[last_name]', c['last_name']),
                ('contact[phone]', ''), ('contact[ip]', '0.0.0.0'),
                ('contact[tags]', ', '.join(names)),
                ('contact[orgname]', '')]
        for h in sorted(acct.hooks.values(), key=lambda h: h['id']):
            if h['state'] != 'active' or event not in h['events'] \
                    or source not in h['sources']:
                continue
            body_form = [(k, h['url'] if k == 'url' else v) for k, v in form]
            body = urllib.parse.urlencode(body_form).encode()

            def on_status(status, h=h):
                if status == 410:
                    with self.state.lock:
                        h['state'] = 'inactive'
                    log('%s: webhook %d answered 410, now inactive'
                        % (acct.slug, h['id']))
            enqueue(acct, {'url': h['url'], 'body': body,
                           'headers': {'Content-Type':
                                       'application/x-www-form-urlencoded',
                                       'User-Agent': 'ActiveCampaign/1.0'},
                           'on_status': on_status,
                           'what': '%s(contact %d, tag %d, %s)'
                           % (event, contact_id, tag_id, source)})

    # -- routing
    def handle(self, method, parts, query, body, headers, acct):
        """parts: path segments after /api/3."""
        q = {k: v[-1] for k, v in query.items()}
        n = len(parts)
        if parts == ['users', 'me'] and method == 'GET':
            return 200, {'user': {'username': 'admin', 'firstName': 'Emu',
                                  'lastName': 'Lator',
                                  'email': 'admin@%s.example.test' % acct.slug,
                                  'phone': '', 'signature': None,
                                  'links': {}, 'id': '1'}}
        if parts == ['tags'] and method == 'GET':
            items = sorted(acct.tags.values(), key=lambda t: t['id'])
            if 'search' in q:
                items = [t for t in items
                         if q['search'].lower() in t['tag'].lower()]
            page, total = paginate(items, q, 20, 100)
            return 200, {'tags': [self.tag_json(acct, t) for t in page],
                         'meta': {'total': str(total)}}
        if parts == ['tags'] and method == 'POST':
            t = (body or {}).get('tag') or {}
            name = t.get('tag')
            if not isinstance(name, str) or not name.strip():
                raise HttpError(422, ac_errors('The tag name is required',
                                               'required',
                                               '/data/attributes/tag'))
            if any(x['tag'].lower() == name.lower()
                   for x in acct.tags.values()):
                raise HttpError(422, ac_errors(
                    'Duplicate entry', 'duplicate', '/data/attributes/tag',
                    'A tag with this name already exists'))
            tid = acct.new_id('tag')
            tag = {'id': tid, 'tag': name,
                   'tagType': t.get('tagType') or 'contact',
                   'description': t.get('description') or '',
                   'cdate': now_iso()}
            acct.tags[tid] = tag
            return 201, {'tag': self.tag_json(acct, tag)}
        if n == 2 and parts[0] == 'tags' and method == 'GET':
            tag = acct.tags.get(int_or_none(parts[1]))
            if not tag:
                raise HttpError(404, {'message': 'No Result found for Tag '
                                      'with id %s' % parts[1]})
            return 200, {'tag': self.tag_json(acct, tag)}
        if parts == ['contact', 'sync'] and method == 'POST':
            c = (body or {}).get('contact') or {}
            email = c.get('email')
            if not isinstance(email, str) or not email.strip():
                raise HttpError(422, ac_errors(
                    'Contact Email Address is required', 'field_missing',
                    '/data/attributes/email'))
            if not re.match(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', email):
                raise HttpError(422, ac_errors(
                    'Contact Email Address is not valid.', 'email_invalid',
                    '/data/attributes/email'))
            contact, created = self.find_or_create_contact(
                acct, email, c.get('firstName'), c.get('lastName'))
            return (201 if created else 200), {
                'fieldValues': [], 'contact': self.contact_json(acct, contact)}
        if parts == ['contacts'] and method == 'GET':
            items = sorted(acct.contacts.values(), key=lambda c: c['id'])
            if 'email' in q:
                items = [c for c in items
                         if c['email'].lower() == q['email'].lower()]
            if 'tagid' in q:
                tid = int_or_none(q['tagid'])
                items = [c for c in items if acct.link_for(c['id'], tid)]
            page, total = paginate(items, q, 20, 100)
            return 200, {'scoreValues': [],
                         'contacts': [self.contact_json(acct, c) for c in page],
                         'meta': {'total': str(total)}}
        if n == 2 and parts[0] == 'contacts' and method == 'PUT':
            # [AC-API] "Update a contact": PUT /api/3/contacts/{id}
            # {"contact": {"email", "firstName", "lastName"}} -> {"contact"}.
            contact = acct.contacts.get(int_or_none(parts[1]))
            if not contact:
                raise HttpError(404, {'message': 'No Result found for '
                                      'Subscriber with id %s' % parts[1]})
            c = (body or {}).get('contact') or {}
            email = c.get('email')
            if email is not None:
                if not isinstance(email, str) or not re.match(
                        r'^[^@\s]+@[^@\s]+\.[^@\s]+$', email):
                    raise HttpError(422, ac_errors(
                        'Contact Email Address is not valid.', 'email_invalid',
                        '/data/attributes/email'))
                if any(x['email'].lower() == email.lower() and
                       x['id'] != contact['id']
                       for x in acct.contacts.values()):
                    raise HttpError(422, ac_errors(
                        'Email address already exists in the system.',
                        'duplicate', '/data/attributes/email'))
                contact['email'] = email
            if c.get('firstName') is not None:
                contact['first_name'] = c['firstName']
            if c.get('lastName') is not None:
                contact['last_name'] = c['lastName']
            return 200, {'fieldValues': [],
                         'contact': self.contact_json(acct, contact)}
        if n >= 2 and parts[0] == 'contacts' and method == 'GET':
            contact = acct.contacts.get(int_or_none(parts[1]))
            if not contact:
                raise HttpError(404, {'message': 'No Result found for '
                                      'Subscriber with id %s' % parts[1]})
            if n == 2:
                return 200, {'contact': self.contact_json(acct, contact)}
            if n == 3 and parts[2] == 'contactTags':
                links = [l for l in sorted(acct.links.values(),
                                           key=lambda l: l['id'])
                         if l['contact'] == contact['id']]
                return 200, {'contactTags': [self.link_json(acct, l)
                                             for l in links]}
        if parts == ['contactTags'] and method == 'POST':
            ct = (body or {}).get('contactTag') or {}
            cid, tid = int_or_none(ct.get('contact')), int_or_none(ct.get('tag'))
            if cid not in acct.contacts:
                raise HttpError(404, {'message': 'No Result found for '
                                      'Subscriber with id %s' % ct.get('contact')})
            if tid not in acct.tags:
                raise HttpError(404, {'message': 'No Result found for Tag '
                                      'with id %s' % ct.get('tag')})
            link, _ = self.apply(acct, cid, tid, 'api')
            return 201, {'contactTag': self.link_json(acct, link)}
        if n == 2 and parts[0] == 'contactTags' and method == 'DELETE':
            link = acct.links.get(int_or_none(parts[1]))
            if not link:
                raise HttpError(404, {'message': 'No Result found for '
                                      'ContactTag with id %s' % parts[1]})
            self.remove(acct, link, 'api')
            return 200, {}
        if parts == ['webhooks'] and method == 'POST':
            w = (body or {}).get('webhook') or {}
            for field in ('name', 'url'):
                if not isinstance(w.get(field), str) or not w.get(field):
                    raise HttpError(422, ac_errors(
                        'The %s field is required' % field, 'field_missing',
                        '/data/attributes/%s' % field))
            events = w.get('events') or []
            sources = w.get('sources') or []
            bad = [e for e in events if e not in AC_EVENTS] + \
                  [s for s in sources if s not in AC_SOURCES]
            if not events or not sources or bad:
                raise HttpError(422, ac_errors(
                    'Invalid events or sources', 'invalid',
                    '/data/attributes/events', ', '.join(bad)))
            hid = acct.new_id('hook')
            h = {'id': hid, 'name': w['name'], 'url': w['url'],
                 'events': list(events), 'sources': list(sources),
                 'state': 'active', 'cdate': now_iso()}
            acct.hooks[hid] = h
            return 201, {'webhook': self.hook_json(acct, h)}
        if parts == ['webhooks'] and method == 'GET':
            items = sorted(acct.hooks.values(), key=lambda h: h['id'])
            page, total = paginate(items, q, 20, 100)
            return 200, {'webhooks': [self.hook_json(acct, h) for h in page],
                         'meta': {'total': str(total)}}
        if n == 2 and parts[0] == 'webhooks':
            h = acct.hooks.get(int_or_none(parts[1]))
            if not h:
                raise HttpError(404, {'message': 'No Result found for '
                                      'Webhook with id %s' % parts[1]})
            if method == 'GET':
                return 200, {'webhook': self.hook_json(acct, h)}
            if method == 'DELETE':
                del acct.hooks[h['id']]
                return 200, {}
        raise HttpError(404, {'message': 'No Result found for route'})


# --------------------------------------------------------------------------
# Keap REST v1

KEAP_EVENTS = ['contact.add', 'contact.delete', 'contact.edit',
               'contactGroup.add', 'contactGroup.applied',
               'contactGroup.delete', 'contactGroup.edit',
               'contactGroup.removed']


def keap_fault(faultstring, errorcode):
    return {'fault': {'faultstring': faultstring,
                      'detail': {'errorcode': errorcode}}}


class Keap:
    def __init__(self, state, base):
        self.state = state
        self.base = base

    def api_root(self):
        return '%s/crm/rest/v1' % self.base

    def tag_json(self, t):
        return {'id': t['id'], 'name': t['name'],
                'description': t['description'], 'category': None}

    def contact_json(self, acct, c, with_tags=False):
        out = {'id': c['id'],
               'email_addresses': [{'email': c['email'], 'field': 'EMAIL1'}],
               'given_name': c['first_name'], 'family_name': c['last_name'],
               'email_status': 'UnengagedMarketable',
               'email_opted_in': False, 'date_created': c['cdate'],
               'last_updated': c['udate'], 'owner_id': None,
               'addresses': [], 'phone_numbers': []}
        if with_tags:
            out['tag_ids'] = acct.tag_ids_of(c['id'])
        return out

    def find_or_create_contact(self, acct, email, first, last):
        for c in acct.contacts.values():
            if c['email'].lower() == email.lower():
                if first is not None:
                    c['first_name'] = first
                if last is not None:
                    c['last_name'] = last
                c['udate'] = now_keap()
                return c, False
        cid = acct.new_id('contact')
        c = {'id': cid, 'email': email, 'first_name': first or '',
             'last_name': last or '', 'cdate': now_keap(),
             'udate': now_keap()}
        acct.contacts[cid] = c
        return c, True

    def apply(self, acct, contact_id, tag_id, source=None):
        link = acct.link_for(contact_id, tag_id)
        if link:
            return link, False
        lid = acct.new_id('link')
        link = {'id': lid, 'contact': contact_id, 'tag': tag_id,
                'cdate': now_keap()}
        acct.links[lid] = link
        self.fire(acct, 'contactGroup.applied', contact_id, tag_id)
        return link, True

    def remove(self, acct, link, source=None):
        del acct.links[link['id']]
        self.fire(acct, 'contactGroup.removed', link['contact'], link['tag'])

    def fire(self, acct, event, contact_id, tag_id):
        payload = {'event_key': event, 'object_type': 'contactGroup',
                   'object_keys': [{
                       'id': tag_id,
                       'apiUrl': '%s/tags/%d' % (self.api_root(), tag_id),
                       'timestamp': now_keap(),
                       'contact_details': [{'id': contact_id}]}]}
        body = json.dumps(payload).encode()
        for h in sorted(acct.hooks.values(), key=lambda h: h['seq']):
            if h['status'] != 'Verified' or h['eventKey'] != event:
                continue

            def on_status(status, h=h):
                if status == 410:
                    with self.state.lock:
                        h['status'] = 'Inactive'
                    log('%s: hook %s answered 410, now Inactive'
                        % (acct.slug, h['key']))
            enqueue(acct, {'url': h['hookUrl'], 'body': body,
                           'headers': {'Content-Type': 'application/json'},
                           'on_status': on_status,
                           'what': '%s(contact %d, tag %d)'
                           % (event, contact_id, tag_id)})

    def verify_hook(self, acct, h):
        """The X-Hook-Secret handshake, made synchronously (outside the
        state lock): Verified iff the receiver answers 200 and echoes the
        header."""
        secret = secrets.token_hex(16)
        try:
            status, hdrs = post_raw(h['hookUrl'], b'',
                                    {'X-Hook-Secret': secret,
                                     'Content-Type': 'application/json'},
                                    timeout=10)
            echoed = {k.lower(): v for k, v in hdrs.items()}.get(
                'x-hook-secret')
            ok = status == 200 and echoed == secret
        except Exception as e:  # noqa: BLE001
            log('%s: verify %s failed: %s' % (acct.slug, h['hookUrl'], e))
            ok = False
        log('%s: hook %s handshake -> %s' % (acct.slug, h['key'],
                                             'Verified' if ok else 'Unverified'))
        return 'Verified' if ok else 'Unverified'

    def hook_json(self, h):
        return {'key': h['key'], 'eventKey': h['eventKey'],
                'hookUrl': h['hookUrl'], 'status': h['status']}

    def page_links(self, path, q, total, offset, limit):
        out = {}
        extra = {k: v for k, v in q.items() if k not in ('limit', 'offset')}
        if offset + limit < total:
            out['next'] = '%s%s?%s' % (self.base, path, urllib.parse.urlencode(
                dict(extra, limit=limit, offset=offset + limit)))
        if offset > 0:
            out['previous'] = '%s%s?%s' % (self.base, path,
                                           urllib.parse.urlencode(dict(
                                               extra, limit=limit,
                                               offset=max(0, offset - limit))))
        return out

    def handle(self, method, parts, query, body, headers, acct, path):
        """parts: segments after /crm/rest/v1. Returns (status, json) or
        (status, json, 'verify', hook) for the handshake done unlocked."""
        q = {k: v[-1] for k, v in query.items()}
        n = len(parts)
        nf = lambda what: HttpError(404, {'message': '%s not found' % what})
        if parts == ['account', 'profile'] and method == 'GET':
            return 200, {'name': acct.name,
                         'email': 'owner@%s.example.test' % acct.slug,
                         'phone': None, 'website': None,
                         'time_zone': 'UTC', 'currency_code': 'USD',
                         'language_tag': 'en-US', 'business_type': None,
                         'address': None}
        if parts == ['tags'] and method == 'GET':
            items = sorted(acct.tags.values(), key=lambda t: t['id'])
            if 'name' in q:
                items = [t for t in items if t['name'] == q['name']]
            page, total, off, lim = paginate(items, q, 1000, 1000, True)
            return 200, dict({'tags': [self.tag_json(t) for t in page],
                              'count': total},
                             **self.page_links(path, q, total, off, lim))
        if parts == ['tags'] and method == 'POST':
            name = (body or {}).get('name')
            if not isinstance(name, str) or not name.strip():
                raise HttpError(400, {'message': 'Input could not be '
                                      'converted to a valid request: name '
                                      'is required'})
            tid = acct.new_id('tag')
            tag = {'id': tid, 'name': name,
                   'description': (body or {}).get('description') or ''}
            acct.tags[tid] = tag
            return 201, self.tag_json(tag)
        if n >= 2 and parts[0] == 'tags' and method == 'GET':
            tag = acct.tags.get(int_or_none(parts[1]))
            if not tag:
                raise nf('Tag %s' % parts[1])
            if n == 2:
                return 200, self.tag_json(tag)
            if n == 3 and parts[2] == 'contacts':
                links = [l for l in sorted(acct.links.values(),
                                           key=lambda l: l['contact'])
                         if l['tag'] == tag['id']]
                page, total, off, lim = paginate(links, q, 1000, 1000, True)
                rows = []
                for l in page:
                    c = acct.contacts[l['contact']]
                    rows.append({'contact': {'id': c['id'], 'email': c['email'],
                                             'first_name': c['first_name'],
                                             'last_name': c['last_name']},
                                 'date_applied': l['cdate']})
                return 200, dict({'contacts': rows, 'count': total},
                                 **self.page_links(path, q, total, off, lim))
        if parts == ['contacts'] and method == 'PUT':
            b = body or {}
            if b.get('duplicate_option') not in ('Email', 'EmailAndName',
                                                 'EmailAndNameAndCompany'):
                raise HttpError(400, {'message': 'duplicate_option is '
                                      'required: Email, EmailAndName or '
                                      'EmailAndNameAndCompany'})
            emails = b.get('email_addresses') or []
            email = emails[0].get('email') if emails and \
                isinstance(emails[0], dict) else None
            if not isinstance(email, str) or \
                    not re.match(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', email):
                raise HttpError(400, {'message': 'Input could not be '
                                      'converted to a valid request: a valid '
                                      'email address is required'})
            c, created = self.find_or_create_contact(
                acct, email, b.get('given_name'), b.get('family_name'))
            return (201 if created else 200), self.contact_json(acct, c)
        if parts == ['contacts'] and method == 'GET':
            items = sorted(acct.contacts.values(), key=lambda c: c['id'])
            if 'email' in q:
                items = [c for c in items
                         if c['email'].lower() == q['email'].lower()]
            page, total, off, lim = paginate(items, q, 50, 1000, True)
            return 200, dict({'contacts': [self.contact_json(acct, c)
                                           for c in page],
                              'count': total},
                             **self.page_links(path, q, total, off, lim))
        if n >= 2 and parts[0] == 'contacts':
            c = acct.contacts.get(int_or_none(parts[1]))
            if not c:
                raise nf('Contact %s' % parts[1])
            if n == 2 and method == 'GET':
                opt = q.get('optional_properties', '')
                return 200, self.contact_json(acct, c,
                                              'tag_ids' in opt.split(','))
            if n == 2 and method == 'PATCH':
                # [K-API] "Update a Contact": PATCH /v1/contacts/{id} with
                # the fields to change (email_addresses, given_name,
                # family_name) -> the contact.
                b = body or {}
                emails = b.get('email_addresses')
                if emails is not None:
                    email = emails[0].get('email') if emails and \
                        isinstance(emails[0], dict) else None
                    if not isinstance(email, str) or not re.match(
                            r'^[^@\s]+@[^@\s]+\.[^@\s]+$', email):
                        raise HttpError(400, {'message': 'Input could not be '
                                              'converted to a valid request: '
                                              'a valid email address is '
                                              'required'})
                    c['email'] = email
                if b.get('given_name') is not None:
                    c['first_name'] = b['given_name']
                if b.get('family_name') is not None:
                    c['last_name'] = b['family_name']
                return 200, self.contact_json(acct, c)
            if n == 3 and parts[2] == 'tags' and method == 'GET':
                links = [l for l in sorted(acct.links.values(),
                                           key=lambda l: l['id'])
                         if l['contact'] == c['id']]
                page, total, off, lim = paginate(links, q, 1000, 1000, True)
                rows = [{'tag': {'id': l['tag'],
                                 'name': acct.tags[l['tag']]['name'],
                                 'category': None},
                         'date_applied': l['cdate']} for l in page]
                return 200, dict({'tags': rows, 'count': total},
                                 **self.page_links(path, q, total, off, lim))
            if n == 3 and parts[2] == 'tags' and method == 'POST':
                ids = (body or {}).get('tagIds')
                if not isinstance(ids, list) or not ids:
                    raise HttpError(400, {'message': 'tagIds is required'})
                for t in ids:
                    if int_or_none(t) not in acct.tags:
                        raise nf('Tag %s' % t)
                result = {}
                for t in ids:
                    _, new = self.apply(acct, c['id'], int_or_none(t))
                    result[str(int_or_none(t))] = 'SUCCESS' if new \
                        else 'DUPLICATE'
                return 200, result
            if n == 4 and parts[2] == 'tags' and method == 'DELETE':
                link = acct.link_for(c['id'], int_or_none(parts[3]))
                if not link:
                    raise nf('Tag %s on contact %s' % (parts[3], parts[1]))
                self.remove(acct, link)
                return 204, None
        if parts == ['hooks'] and method == 'GET':
            return 200, [self.hook_json(h) for h in
                         sorted(acct.hooks.values(), key=lambda h: h['seq'])]
        if parts == ['hooks', 'event_keys'] and method == 'GET':
            return 200, list(KEAP_EVENTS)
        if parts == ['hooks'] and method == 'POST':
            b = body or {}
            if b.get('eventKey') not in KEAP_EVENTS:
                raise HttpError(400, {'message': 'Invalid eventKey: %s'
                                      % b.get('eventKey')})
            if not isinstance(b.get('hookUrl'), str) or not b['hookUrl']:
                raise HttpError(400, {'message': 'hookUrl is required'})
            seq = acct.new_id('hook')
            h = {'seq': seq, 'key': str(seq), 'eventKey': b['eventKey'],
                 'hookUrl': b['hookUrl'], 'status': 'Unverified'}
            acct.hooks[h['key']] = h
            return 200, None, 'verify', h
        if n >= 2 and parts[0] == 'hooks':
            h = acct.hooks.get(parts[1])
            if not h:
                raise nf('Hook %s' % parts[1])
            if n == 2 and method == 'GET':
                return 200, self.hook_json(h)
            if n == 2 and method == 'DELETE':
                del acct.hooks[h['key']]
                return 204, None
            if n == 3 and parts[2] == 'verify' and method == 'POST':
                return 200, None, 'verify', h
        raise HttpError(404, {'message': 'Not Found'})


# --------------------------------------------------------------------------
# helpers

def int_or_none(v):
    try:
        return int(str(v))
    except (TypeError, ValueError):
        return None


def paginate(items, q, default, maximum, detail=False):
    limit = int_or_none(q.get('limit'))
    offset = int_or_none(q.get('offset')) or 0
    if limit is None or limit <= 0:
        limit = default
    limit = min(limit, maximum)
    offset = max(offset, 0)
    page = items[offset:offset + limit]
    if detail:
        return page, len(items), offset, limit
    return page, len(items)


# --------------------------------------------------------------------------
# HTTP

def make_handler(state, vendor):
    class Handler(http.server.BaseHTTPRequestHandler):
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

        def authorize(self, query):
            q = {k: v[-1] for k, v in query.items()}
            with state.lock:
                slug = state.by_client.get(q.get('client_id', ''))
            redirect = q.get('redirect_uri')
            if not slug or not redirect:
                return self.send(400, '<html><body>Invalid client_id or '
                                 'redirect_uri</body></html>',
                                 ctype='text/html')
            if q.get('response_type') != 'code':
                return self.send(400, '<html><body>response_type must be '
                                 'code</body></html>', ctype='text/html')
            code = secrets.token_urlsafe(18)
            with state.lock:
                state.codes[code] = {'slug': slug, 'redirect_uri': redirect}
            params = {'code': code}
            if 'state' in q:
                params['state'] = q['state']
            params['scope'] = 'full|%s.infusionsoft.com' % slug
            sep = '&' if '?' in redirect else '?'
            self.send(302, None, {'Location': redirect + sep +
                                  urllib.parse.urlencode(params)})

        def token(self, raw):
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(
                raw.decode('utf-8', 'replace'), keep_blank_values=True).items()}
            cid, csec = form.get('client_id'), form.get('client_secret')
            authz = self.headers.get('Authorization') or ''
            if authz.lower().startswith('basic '):
                try:
                    cid, _, csec = base64.b64decode(authz[6:].strip()).decode(
                    ).partition(':')
                except ValueError:
                    pass
            with state.lock:
                slug = state.by_client.get(cid or '')
                acct = state.accounts.get(slug) if slug else None
                if acct is None or csec != acct.client_secret:
                    raise HttpError(401, {'error': 'invalid_client',
                                          'error_description':
                                          'Invalid client credentials'})
                acct.requests.append({'method': 'POST', 'path': '/token',
                                      'time': now_iso(),
                                      'grant_type': form.get('grant_type')})
                grant = form.get('grant_type')
                if grant == 'authorization_code':
                    info = state.codes.pop(form.get('code', ''), None)
                    if not info or info['slug'] != slug:
                        raise HttpError(400, {
                            'error': 'invalid_grant',
                            'error_description': 'Invalid authorization code'})
                    if info['redirect_uri'] != form.get('redirect_uri'):
                        raise HttpError(400, {
                            'error': 'invalid_grant',
                            'error_description': 'Redirect URI mismatch'})
                elif grant == 'refresh_token':
                    if state.refresh.get(form.get('refresh_token', '')) != slug:
                        raise HttpError(400, {
                            'error': 'invalid_grant',
                            'error_description': 'Invalid refresh token'})
                    del state.refresh[form['refresh_token']]
                else:
                    raise HttpError(400, {'error': 'unsupported_grant_type',
                                          'error_description':
                                          'Unsupported grant type'})
                access = secrets.token_urlsafe(24)
                refresh = secrets.token_urlsafe(24)
                state.access[access] = {'slug': slug, 'expired': False}
                state.refresh[refresh] = slug
            self.send(200, {'access_token': access, 'refresh_token': refresh,
                            'expires_in': 86400, 'token_type': 'bearer',
                            'scope': 'full|%s.infusionsoft.com' % slug},
                      {'Cache-Control': 'no-store'})

        # ---- test controls
        def control(self, method, segs, raw):
            body = self.json_body(raw) or {}
            if segs == ['accounts'] and method == 'POST':
                acct = state.new_account(body.get('name'))
                out = {'account': acct.slug, 'api_key': acct.api_key}
                if vendor == 'activecampaign':
                    out['api_url'] = '%s/%s' % (self.base(), acct.slug)
                else:
                    out.update({
                        'api_url': '%s/crm/rest' % self.base(),
                        'oauth_base': self.base(),
                        'authorize_url': '%s/app/oauth/authorize'
                        % self.base(),
                        'token_url': '%s/token' % self.base(),
                        'client_id': acct.client_id,
                        'client_secret': acct.client_secret})
                return self.send(201, out)
            if not segs:
                raise HttpError(404, {'message': 'unknown control'})
            with state.lock:
                acct = state.accounts.get(segs[0])
            if acct is None:
                raise HttpError(404, {'message': 'no account %s' % segs[0]})
            rest = segs[1:]
            impl = AC(state, self.base()) if vendor == 'activecampaign' \
                else Keap(state, self.base())
            with state.lock:
                if rest == ['contacts'] and method == 'POST':
                    email = body.get('email')
                    if not email:
                        raise HttpError(400, {'message': 'email required'})
                    c, created = impl.find_or_create_contact(
                        acct, email, body.get('first_name'),
                        body.get('last_name'))
                    return self.send(201 if created else 200,
                                     self.dump_contact(acct, c))
                if rest == ['tags'] and method == 'POST':
                    name = body.get('name')
                    if not name:
                        raise HttpError(400, {'message': 'name required'})
                    tid = acct.new_id('tag')
                    if vendor == 'activecampaign':
                        tag = {'id': tid, 'tag': name, 'tagType': 'contact',
                               'description': body.get('description') or '',
                               'cdate': now_iso()}
                    else:
                        tag = {'id': tid, 'name': name,
                               'description': body.get('description') or ''}
                    acct.tags[tid] = tag
                    return self.send(201, self.dump_tag(tag))
                if len(rest) == 4 and rest[0] == 'contacts' and \
                        rest[2] == 'tags' and method in ('POST', 'DELETE'):
                    cid, tid = int_or_none(rest[1]), int_or_none(rest[3])
                    if cid not in acct.contacts or tid not in acct.tags:
                        raise HttpError(404, {'message': 'no such contact '
                                              'or tag'})
                    if method == 'POST':
                        _, new = impl.apply(acct, cid, tid, 'admin')
                        return self.send(200, {'applied': new})
                    link = acct.link_for(cid, tid)
                    if link:
                        impl.remove(acct, link, 'admin')
                    return self.send(200, {'removed': bool(link)})
                if rest == ['state'] and method == 'GET':
                    return self.send(200, self.dump(acct))
                if rest == ['webhooks', 'pause'] and method == 'POST':
                    acct.paused = True
                    return self.send(200, {'paused': True})
                if rest == ['webhooks', 'resume'] and method == 'POST':
                    acct.paused = False
                    return self.send(200, {'paused': False})
                if rest == ['fail'] and method == 'POST':
                    status = int_or_none(body.get('status')) or 500
                    count = int_or_none(body.get('count'))
                    acct.fail = {'status': status,
                                 'count': 1 if count is None else count,
                                 'retry_after': int_or_none(
                                     body.get('retry_after')) or 1}
                    return self.send(200, acct.fail)
                if rest == ['expire_tokens'] and method == 'POST' and \
                        vendor == 'keap':
                    n = 0
                    for info in state.access.values():
                        if info['slug'] == acct.slug and not info['expired']:
                            info['expired'] = True
                            n += 1
                    return self.send(200, {'expired': n})
            raise HttpError(404, {'message': 'unknown control'})

        def dump_tag(self, t):
            if vendor == 'activecampaign':
                return {'id': t['id'], 'name': t['tag'],
                        'description': t['description']}
            return {'id': t['id'], 'name': t['name'],
                    'description': t['description']}

        def dump_contact(self, acct, c):
            return {'id': c['id'], 'email': c['email'],
                    'first_name': c['first_name'],
                    'last_name': c['last_name'],
                    'tag_ids': acct.tag_ids_of(c['id'])}

        def dump(self, acct):
            hooks = []
            for h in acct.hooks.values():
                hooks.append(dict(h))
            return {'account': acct.slug, 'vendor': vendor,
                    'paused': acct.paused, 'fail': acct.fail,
                    'contacts': [self.dump_contact(acct, c) for c in
                                 sorted(acct.contacts.values(),
                                        key=lambda c: c['id'])],
                    'tags': [self.dump_tag(t) for t in
                             sorted(acct.tags.values(), key=lambda t: t['id'])],
                    'contact_tags': [{'id': l['id'], 'contact': l['contact'],
                                      'tag': l['tag']}
                                     for l in sorted(acct.links.values(),
                                                     key=lambda l: l['id'])],
                    'webhooks' if vendor == 'activecampaign' else 'hooks':
                        hooks,
                    'requests': list(acct.requests)}

    return Handler


def main():
    global LOG_FILE
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--vendor', required=True,
                    choices=['activecampaign', 'keap'])
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--log-file')
    ap.add_argument('--exit-on-stdin-eof', action='store_true')
    args = ap.parse_args()
    LOG_FILE = args.log_file
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
