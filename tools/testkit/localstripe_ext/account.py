"""GET /v1/account and the Stripe Connect OAuth token exchange."""

from aiohttp import web

from localstripe import server as S

from .common import ACCOUNT_ID, STATE, template


# --------------------------------------------------------------------------
# 2. GET /v1/account
# --------------------------------------------------------------------------
async def get_account(request):
    acct = template('account')
    acct.update(id=ACCOUNT_ID, email=STATE['account_email'], created=0,
                charges_enabled=True, payouts_enabled=True,
                details_submitted=True)
    acct['business_profile']['name'] = STATE['account_name']
    acct['settings']['dashboard']['display_name'] = STATE['account_name']
    return S.json_response(acct)


# --------------------------------------------------------------------------
# 9b. Stripe Connect OAuth token exchange (connect.stripe.com/oauth/token).
#     Shaped after Stripe's documented response: any code starting "ac_"
#     works (except one containing "bad"); the access token is a secret key
#     of the emulated account.
# --------------------------------------------------------------------------
async def oauth_token(request):
    form = await request.post()
    code = form.get('code', '')
    if form.get('grant_type') != 'authorization_code' or not code.startswith('ac_') or 'bad' in code:
        return web.json_response({
            'error': 'invalid_grant',
            'error_description': 'Authorization code does not exist: %s' % code}, status=400)
    return web.json_response({
        'access_token': 'sk_test_oauth_' + code[3:],
        'livemode': False,
        'refresh_token': 'rt_' + code[3:],
        'token_type': 'bearer',
        'stripe_publishable_key': 'pk_test_oauth_' + code[3:],
        'stripe_user_id': ACCOUNT_ID,
        'scope': 'read_write'})
