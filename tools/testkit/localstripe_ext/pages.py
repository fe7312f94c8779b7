"""HTML pages behind the urls the API returns, for browser tests."""

import html

from aiohttp import web

from localstripe import resources as R

from .billing_portal import PortalConfiguration, PortalSession
from .checkout import CheckoutSession
from .payment_links import PaymentLink


# --------------------------------------------------------------------------
# 9. Tiny HTML pages behind the returned urls, for browser tests:
#    /checkout/{id} (pay -> success_url), /pay/{plink} (-> checkout),
#    /billing_portal/{id} (cancel a subscription per the configuration).
# --------------------------------------------------------------------------
def page(title, body):
    return web.Response(content_type='text/html', text=(
        '<!doctype html><html><head><meta charset="utf-8"><title>%s</title>'
        '</head><body><h1>%s</h1>%s</body></html>'
        % (html.escape(title), html.escape(title), body)))


async def checkout_page(request):
    s = CheckoutSession._api_retrieve(request.match_info['id'])
    if request.method == 'POST':
        form = await request.post()
        s._complete(email=form.get('email') or None,
                    name=form.get('name') or None)
        if not s.success_url:  # Stripe's hosted confirmation
            return page('Payment complete', '<p id="complete">Thank you.</p>')
        raise web.HTTPSeeOther(
            s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id))
    items = ''.join('<li>%s &times; %d</li>' % (
        html.escape(i.description), i.quantity)
        for i in (R.store['item:' + x] for x in s._line_items))
    email = s.customer_email or ''
    body = ('<ul>%s</ul><p>Total: %s %s</p><p>Status: %s</p>' % (
        items, s.amount_total, s.currency, s.status))
    if s.status == 'open':
        body += ('<form method="post"><label>Email <input name="email" '
                 'value="%s"></label> <label>Name <input name="name">'
                 '</label> <button type="submit" id="pay">Pay</button>'
                 '</form>' % html.escape(email))
    if s.cancel_url:
        body += '<p><a id="cancel" href="%s">Cancel</a></p>' % html.escape(
            s.cancel_url)
    return page('Test checkout', body)


async def payment_link_page(request):
    link = PaymentLink._api_retrieve(request.match_info['id'])
    raise web.HTTPSeeOther(link._open_checkout().url)


async def portal_page(request):
    ps = PortalSession._api_retrieve(request.match_info['id'])
    config = PortalConfiguration._api_retrieve(ps.configuration)
    cancel = config.features['subscription_cancel']
    if request.method == 'POST':
        if not cancel['enabled']:
            raise web.HTTPForbidden(text='cancellation is disabled')
        form = await request.post()
        sub = R.Subscription._api_retrieve(form.get('subscription', ''))
        if sub.customer != ps.customer:
            raise web.HTTPForbidden(text='not this customer')
        if cancel['mode'] == 'immediately':
            R.Subscription._api_delete(sub.id)
        else:
            sub._update(cancel_at_period_end=True)
        raise web.HTTPSeeOther('/billing_portal/' + ps.id)
    rows = ''
    for sub in R.Subscription._api_list_all(None, customer=ps.customer,
                                            limit=100)._list:
        rows += '<li>%s: %s (%s)%s' % (
            html.escape(sub.id), html.escape(sub.plan.nickname or sub.plan.id),
            html.escape(sub.status),
            ' &mdash; cancels at period end' if sub.cancel_at_period_end
            else '')
        if cancel['enabled'] and not sub.cancel_at_period_end:
            rows += ('<form method="post" style="display:inline"><input '
                     'type="hidden" name="subscription" value="%s"><button '
                     'type="submit" class="cancel">Cancel</button></form>'
                     % html.escape(sub.id))
        rows += '</li>'
    body = '<ul>%s</ul>' % rows
    if ps.return_url:
        body += '<p><a id="return" href="%s">Return</a></p>' % html.escape(
            ps.return_url)
    return page('Test billing portal', body)
