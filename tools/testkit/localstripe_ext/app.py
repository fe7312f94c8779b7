"""Routes and auth: the aiohttp app localstripe_launcher.py serves."""

from aiohttp import web

from localstripe import server as S
from localstripe.errors import UserError

from . import events  # noqa: F401  (patches events and delivery)
from .account import get_account, oauth_token
from .billing_portal import PortalConfiguration, PortalSession
from .checkout import CheckoutSession, testkit_checkout_complete
from .pages import checkout_page, payment_link_page, portal_page
from .payment_links import PaymentLink, testkit_payment_link_checkout
from .prices import Price
from .subscriptions import testkit_subscription_status
from .webhook_endpoints import WebhookEndpoint


# --------------------------------------------------------------------------
# 10. Routes and auth. Test pages and /_testkit/ need no API key (like
#     localstripe's /_config/); an API key containing "invalid" gets a 401,
#     so tests can exercise key validation.
# --------------------------------------------------------------------------
@web.middleware
async def auth_middleware(request, handler):
    if request.path.startswith(('/checkout/', '/pay/', '/billing_portal/',
                                '/_testkit/', '/oauth/')):
        return await handler(request)
    key = S.get_api_key(request)
    if key is not None and 'invalid' in key:
        raise UserError(401, 'Invalid API Key provided: %s***' % key[:8])
    return await S.auth_middleware(request, handler)


def crud_routes(cls, path, ops):
    routes = {
        'create': ('POST', path, S.api_create),
        'retrieve': ('GET', path + '/{id}', S.api_retrieve),
        'update': ('POST', path + '/{id}', S.api_update),
        'delete': ('DELETE', path + '/{id}', S.api_delete),
        'list': ('GET', path, S.api_list_all)}
    return [(m, u, f(cls, u)) for m, u, f in (routes[o] for o in ops)]


def build_app():
    app = S.app
    mws = app.middlewares
    mws[list(mws).index(S.auth_middleware)] = auth_middleware
    for method, url, handler in (
            [('GET', '/v1/account', get_account)] +
            crud_routes(Price, '/v1/prices',
                        ('create', 'retrieve', 'update', 'list')) +
            crud_routes(WebhookEndpoint, '/v1/webhook_endpoints',
                        ('create', 'retrieve', 'update', 'delete', 'list')) +
            [('GET', '/v1/checkout/sessions/{id}/line_items',
              S.api_extra(CheckoutSession._api_list_line_items, None))] +
            crud_routes(CheckoutSession, '/v1/checkout/sessions',
                        ('create', 'retrieve', 'list')) +
            [('GET', '/v1/payment_links/{id}/line_items',
              S.api_extra(PaymentLink._api_list_line_items, None))] +
            crud_routes(PaymentLink, '/v1/payment_links',
                        ('create', 'retrieve', 'update', 'list')) +
            crud_routes(PortalConfiguration,
                        '/v1/billing_portal/configurations',
                        ('create', 'retrieve', 'update', 'list')) +
            crud_routes(PortalSession, '/v1/billing_portal/sessions',
                        ('create',)) +
            [('POST', '/_testkit/checkout/sessions/{id}/complete',
              testkit_checkout_complete),
             ('POST', '/_testkit/payment_links/{id}/checkout',
              testkit_payment_link_checkout),
             ('POST', '/_testkit/subscriptions/{id}/status',
              testkit_subscription_status),
             ('POST', '/oauth/token', oauth_token),
             ('GET', '/checkout/{id}', checkout_page),
             ('POST', '/checkout/{id}', checkout_page),
             ('GET', '/pay/{id}', payment_link_page),
             ('GET', '/billing_portal/{id}', portal_page),
             ('POST', '/billing_portal/{id}', portal_page)]):
        app.router.add_route(method, url, handler)
    return app
