"""Keap REST v1 (see CRM.md for the references)."""

import json
import re
import secrets
import urllib.parse

from .common import HttpError, int_or_none, log, now_keap, paginate
from .delivery import enqueue, post_raw


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
