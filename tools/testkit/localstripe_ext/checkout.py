"""Checkout sessions and their line items."""

from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from .common import (
    STATE, Shaped, as_bool, as_int, as_metadata, as_str, bad, event,
    reject_unknown, template)
from .prices import Price


# --------------------------------------------------------------------------
# 6. Checkout: /v1/checkout/sessions (+ line_items), test-only completion.
# --------------------------------------------------------------------------
class LineItem(Shaped):
    object = 'item'
    _id_prefix = 'li_'
    _template = 'item'

    def __init__(self, price, quantity):
        super().__init__()
        self.price = price.id  # exported as the full price object
        self.quantity = quantity
        self.currency = price.currency
        self.amount_subtotal = self.amount_total = \
            price.unit_amount * quantity
        self.description = R.Product._api_retrieve(price.product).name
        self.metadata = {}

    def _export(self, expand=None):
        obj = super()._export(expand=expand)
        obj['price'] = Price._api_retrieve(self.price)._export()
        return obj


def parse_line_items(line_items, param='line_items'):
    if type(line_items) is not list or not line_items:
        raise bad('Missing line_items', param)
    out = []
    for i, li in enumerate(line_items):
        if type(li) is not dict or set(li) - {'price', 'quantity'}:
            raise bad('Each line item takes price and quantity',
                      '%s[%d]' % (param, i))
        price = Price._api_retrieve(as_str(li.get('price'),
                                           '%s[%d][price]' % (param, i), True))
        if not price.active:
            raise bad('The price %s is not active' % price.id,
                      '%s[%d][price]' % (param, i))
        out.append((price, as_int(li.get('quantity', 1),
                                  '%s[%d][quantity]' % (param, i), 1)))
    return out


def line_items_list(url, line_items, limit=None, starting_after=None):
    li = R.List(url, limit=limit, starting_after=starting_after)
    li._list = [R.store['item:' + i] for i in line_items]
    return li


class CheckoutSession(Shaped):
    object = 'checkout.session'
    _id_prefix = 'cs_test_'
    _template = 'checkout.session'

    def __init__(self, mode=None, line_items=None, customer=None,
                 customer_email=None, client_reference_id=None,
                 metadata=None, success_url=None, cancel_url=None,
                 allow_promotion_codes=None, subscription_data=None,
                 payment_method_types=None, customer_creation=None,
                 expires_at=None, locale=None, _payment_link=None,
                 **kwargs):
        reject_unknown(kwargs)
        if mode not in ('payment', 'subscription'):
            raise bad('mode must be payment or subscription', 'mode')
        items = parse_line_items(line_items)
        recurring = [p for p, q in items if p.type == 'recurring']
        if mode == 'payment' and recurring:
            raise bad('You must use `subscription` mode for recurring prices',
                      'line_items')
        if mode == 'subscription' and len(items) != 1 or \
                mode == 'subscription' and not recurring:
            raise bad('subscription mode takes exactly one recurring price '
                      'here (localstripe supports one item)', 'line_items')
        if len({p.currency for p, q in items}) != 1:
            raise bad('All prices must share one currency', 'line_items')
        if customer is not None and customer_email is not None:
            raise bad('Pass customer or customer_email, not both',
                      'customer_email')
        if customer is not None:
            R.Customer._api_retrieve(customer)
        if allow_promotion_codes is not None:
            allow_promotion_codes = as_bool(allow_promotion_codes,
                                            'allow_promotion_codes')
        if customer_creation not in (None, 'always', 'if_required') or \
                customer_creation and mode != 'payment':
            raise bad('Invalid customer_creation', 'customer_creation')
        subscription_data = subscription_data or {}
        if type(subscription_data) is not dict or set(subscription_data) - {
                'trial_period_days', 'metadata', 'description'}:
            raise bad('Invalid subscription_data', 'subscription_data')
        if mode != 'subscription' and subscription_data:
            raise bad('subscription_data needs subscription mode',
                      'subscription_data')
        trial = subscription_data.get('trial_period_days')
        trial = None if trial is None else as_int(
            trial, 'subscription_data[trial_period_days]', 1)
        sub_metadata = as_metadata(subscription_data.get('metadata'),
                                   'subscription_data[metadata]')
        metadata = as_metadata(metadata)

        super().__init__()
        self._line_items = [LineItem(p, q).id for p, q in items]
        self._trial_period_days = trial
        self._subscription_metadata = sub_metadata
        self.mode = mode
        self.customer = customer
        self.customer_email = customer_email
        self.customer_details = None
        self.customer_creation = customer_creation or (
            'always' if mode == 'payment' and customer is None else None)
        self.client_reference_id = client_reference_id
        self.metadata = metadata
        self.success_url = success_url
        self.cancel_url = cancel_url
        self.allow_promotion_codes = allow_promotion_codes
        self.currency = items[0][0].currency
        self.amount_subtotal = self.amount_total = sum(
            p.unit_amount * q for p, q in items)
        self.payment_method_types = payment_method_types or ['card']
        self.payment_method_collection = (
            'always' if mode == 'subscription' else None)
        self.locale = locale
        self.expires_at = as_int(expires_at, 'expires_at') if expires_at \
            else self.created + 86400
        self.payment_link = _payment_link
        self.status = 'open'
        self.payment_status = 'unpaid'
        self.url = '%s/checkout/%s' % (STATE['base_url'], self.id)

    def _export(self, expand=None):
        expand = list(expand or [])
        with_items = 'line_items' in expand
        if with_items:
            expand.remove('line_items')
        obj = super()._export(expand=expand)
        if with_items:
            obj['line_items'] = line_items_list(
                '/v1/checkout/sessions/%s/line_items' % self.id,
                self._line_items)._export()
        return obj

    @classmethod
    def _api_update(cls, id, **data):
        raise UserError(405, 'Method Not Allowed')

    @classmethod
    def _api_delete(cls, id):
        raise UserError(405, 'Method Not Allowed')

    @classmethod
    def _api_list_all(cls, url, customer=None, payment_intent=None,
                      subscription=None, payment_link=None, status=None,
                      limit=None, starting_after=None, **kwargs):
        reject_unknown(kwargs)
        return super()._api_list_all(
            url, limit, starting_after, customer=customer, status=status,
            payment_intent=payment_intent, subscription=subscription,
            payment_link=payment_link)

    @classmethod
    def _api_list_line_items(cls, id, limit=None, starting_after=None,
                             **kwargs):
        reject_unknown(kwargs)
        return line_items_list(
            '/v1/checkout/sessions/%s/line_items' % id,
            cls._api_retrieve(id)._line_items, limit, starting_after)

    def _complete(self, email=None, name=None, customer=None,
                  payment_method='pm_card_visa'):
        """What a paying customer does on Stripe's hosted page."""
        if self.status != 'open':
            raise bad('This Checkout Session is %s' % self.status)
        email = email or self.customer_email or (
            R.Customer._api_retrieve(self.customer).email
            if self.customer else None) or 'customer@example.test'
        customer = self.customer or customer
        if customer is not None:
            cus = R.Customer._api_retrieve(customer)
        elif self.customer_creation == 'if_required':
            cus = None  # a guest: no Customer object, like Stripe
        else:
            cus = R.Customer(email=email, name=name)
        pm = R.PaymentMethod._api_retrieve(payment_method)
        if cus is not None:
            R.PaymentMethod._api_attach(pm.id, customer=cus.id)
            cus.invoice_settings['default_payment_method'] = pm.id
        details = template('checkout.session')['customer_details']
        details.update(email=email, name=name or (cus and cus.name),
                       tax_ids=[])
        items = [R.store['item:' + i] for i in self._line_items]

        if self.mode == 'subscription':
            sub = R.Subscription._api_create(
                customer=cus.id, metadata=dict(self._subscription_metadata),
                items=[{'plan': items[0].price,
                        'quantity': items[0].quantity}],
                trial_period_days=self._trial_period_days,
                _tk_default_payment_method=pm.id)
            if sub.status not in ('active', 'trialing'):
                raise UserError(402, 'Your card was declined.',
                                {'code': 'card_declined'})
            self.subscription = sub.id
            self.invoice = sub.latest_invoice
            paid = sub.latest_invoice is not None
            self.payment_status = 'paid' if paid else 'no_payment_required'
        else:
            pi = R.PaymentIntent._api_create(
                confirm=True, amount=self.amount_total,
                currency=self.currency, customer=cus and cus.id,
                payment_method=pm.id, metadata={})
            self.payment_intent = pi.id
            self.payment_status = 'paid'
        self.customer = cus and cus.id
        self.customer_details = details
        self.status = 'complete'
        event('checkout.session.completed', self)
        return self


async def testkit_checkout_complete(request):
    data = await S.get_post_data(request) or {}
    session = CheckoutSession._api_retrieve(request.match_info['id'])
    args = {k: data.pop(k) for k in ('email', 'name', 'customer',
                                     'payment_method') if k in data}
    reject_unknown(data)
    return S.json_response(session._complete(**args)._export())
