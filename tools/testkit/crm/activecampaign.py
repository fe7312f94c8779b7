"""ActiveCampaign API v3 (see CRM.md for the references)."""

import datetime
import re
import urllib.parse

from .common import HttpError, int_or_none, log, now_iso, paginate
from .delivery import enqueue


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
