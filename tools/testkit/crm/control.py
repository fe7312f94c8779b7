"""The test controls under /_emulator/ (accounts, seeding, faults, state
dump): methods of the request handler, made over the emulator's state."""

from .common import HttpError, int_or_none, now_iso
from .activecampaign import AC
from .keap import Keap


def control_methods(state, vendor):
    class Control:
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

    return Control
