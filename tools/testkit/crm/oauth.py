"""Keap's OAuth 2 authorization-code flow (authorize, token): methods of
the request handler, made over the emulator's state."""

import base64
import secrets
import urllib.parse

from .common import HttpError, now_iso


def oauth_methods(state):
    class OAuth:
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

    return OAuth
