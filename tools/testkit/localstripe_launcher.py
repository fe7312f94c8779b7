#!/usr/bin/env python3
"""Run localstripe 1.15.10 for Tollgate's tests, with a few Stripe resources
it lacks.

    $VENV_PY tools/testkit/localstripe_launcher.py --port 0

Binds 127.0.0.1 only, starts with an empty store (no pickle in /tmp), prints
exactly one line `LISTENING <port>` on stdout once it accepts connections,
and exits cleanly on SIGTERM/SIGINT (or on stdin EOF with --exit-on-stdin-eof).

Everything below imports localstripe and extends it at run time; nothing of
localstripe is copied here. New objects are shaped after Stripe's published
example objects in fixtures/stripe_objects.json (see fixtures/README.md).
README.md lists what is added.
"""

import argparse
import asyncio
import copy
import hashlib
import hmac
import html
import inspect
import json
import logging
import os
import signal
import socket
import sys
import time

import aiohttp
from aiohttp import web

from localstripe import resources as R
from localstripe import server as S
from localstripe import webhooks as W
from localstripe.errors import UserError

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, 'fixtures', 'stripe_objects.json')) as _f:
    FIXTURES = json.load(_f)['resources']

ACCOUNT_ID = 'acct_localstripe'
STATE = {'base_url': 'http://127.0.0.1', 'event_api_version': None,
         'account_name': 'Localstripe Test Account',
         'account_email': 'owner@example.test'}


def template(name):
    return copy.deepcopy(FIXTURES[name])


def now():
    return int(time.time())


# --------------------------------------------------------------------------
# 0. No disk persistence: every run starts empty.
# --------------------------------------------------------------------------
R.Store.try_load_from_disk = lambda self: None
R.Store.dump_to_disk = lambda self: None


# --------------------------------------------------------------------------
# Small validation helpers (Stripe-like 400s through localstripe's UserError)
# --------------------------------------------------------------------------
def bad(message, param=None):
    return UserError(400, message, {'param': param} if param else None)


def reject_unknown(kwargs):
    if kwargs:
        raise bad('Received unknown parameter: ' + ', '.join(sorted(kwargs)),
                  sorted(kwargs)[0])


def as_bool(value, param):
    value = R.try_convert_to_bool(value)
    if type(value) is not bool:
        raise bad('Invalid boolean: %r' % (value,), param)
    return value


def as_int(value, param, minimum=None):
    value = R.try_convert_to_int(value)
    if type(value) is not int or (minimum is not None and value < minimum):
        raise bad('Invalid integer: %r' % (value,), param)
    return value


def as_str(value, param, required=False):
    if value is None and not required:
        return None
    if type(value) is not str or (required and not value):
        raise bad('Missing or invalid string: %s' % param, param)
    return value


def as_metadata(value, param='metadata'):
    if value in (None, ''):
        return {}
    if type(value) is not dict or not all(
            type(v) is str for v in value.values()):
        raise bad('Invalid metadata', param)
    return dict(value)


def merge_metadata(current, update):
    # Stripe semantics: keys are merged, an empty value deletes a key.
    out = dict(current or {})
    for k, v in as_metadata(update).items():
        if v == '':
            out.pop(k, None)
        else:
            out[k] = v
    return out


def deep_merge(dst, params, path):
    """Merge form params into a template dict, coercing leaves to the
    template's type (bool/int). Keys absent from the template are kept."""
    if type(params) is not dict:
        raise bad('Invalid object', path)
    for k, v in params.items():
        here = path + '[' + k + ']'
        old = dst.get(k)
        if type(old) is dict and type(v) is dict:
            deep_merge(old, v, here)
        elif type(old) is bool:
            dst[k] = as_bool(v, here)
        elif type(old) is int:
            dst[k] = as_int(v, here)
        elif v == '':
            dst[k] = None
        else:
            dst[k] = v
    return dst


def event(type, obj, previous_attributes=None):
    ev = R.Event(type, obj)
    if previous_attributes is not None:
        ev.data['previous_attributes'] = previous_attributes
    R.schedule_webhook(ev)
    return ev


def diff(before, after):
    return {k: before.get(k) for k in after if before.get(k) != after[k]}


class Shaped(R.StripeObject):
    """A StripeObject whose fields start as a copy of a Stripe fixture."""
    _template = None

    def __init__(self, id=None):
        super().__init__(id)  # sets id, created, livemode; stores the object
        for k, v in template(self._template).items():
            if k not in ('id', 'object', 'created', 'livemode'):
                setattr(self, k, v)

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, **filters):
        li = super()._api_list_all(url, limit=limit,
                                   starting_after=starting_after)
        for k, v in filters.items():
            if v is not None:
                li._list = [o for o in li._list if getattr(o, k) == v]
        li._list.reverse()  # newest first, like Stripe
        return li


# --------------------------------------------------------------------------
# 1. Events: deep-copied snapshot, Stripe's `request`/`pending_webhooks`,
#    optional api_version override; a trial subscription is `trialing`
#    (localstripe leaves it `incomplete`) before its `created` event is built.
# --------------------------------------------------------------------------
_orig_event_init = R.Event.__init__


def _event_init(self, type, data):
    if type == 'customer.subscription.created' and \
            isinstance(data, R.Subscription):
        _fix_trial(data)
        data._tk_announced = True
    _orig_event_init(self, type, data)
    self.data = copy.deepcopy(self.data)
    self.request = {'id': None, 'idempotency_key': None}
    self.pending_webhooks = sum(
        1 for w in W._webhooks.values()
        if w.events is None or type in w.events)
    if STATE['event_api_version']:
        self.api_version = STATE['event_api_version']


R.Event.__init__ = _event_init


# Stripe sends an event to the endpoints that exist when the event happens.
# localstripe looks the endpoints up when it delivers, a second later, so an
# endpoint registered within that second also got events from before it
# existed (a site connected right after some sales received those sales). The
# endpoints are taken when the event is scheduled; an endpoint deleted in the
# meantime gets nothing.
async def _deliver(event, targets):
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode()
    await asyncio.sleep(1)
    log = logging.getLogger('aiohttp.access')
    for wid, hook in targets:
        if W._webhooks.get(wid) is not hook:
            continue
        if hook.events is not None and event.type not in hook.events:
            continue
        mac = hmac.new(hook.secret.encode(), b'%d.%s' % (event.created, payload),
                       hashlib.sha256).hexdigest()
        headers = {'Content-Type': 'application/json; charset=utf-8',
                   'Stripe-Signature': 't=%d,v1=%s' % (event.created, mac)}
        try:
            async with aiohttp.ClientSession() as session:
                async with session.post(hook.url, data=payload,
                                        headers=headers) as r:
                    log.info('webhook "%s" answered %d', event.type, r.status)
        except aiohttp.client_exceptions.ClientError as e:
            log.info('webhook "%s" failed: %s', event.type, e)


def _schedule_webhook(event):
    asyncio.ensure_future(_deliver(event, list(W._webhooks.items())))


W.schedule_webhook = _schedule_webhook
R.schedule_webhook = _schedule_webhook


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
# 3. /v1/prices; a recurring price is also a localstripe Plan (same id).
# --------------------------------------------------------------------------
class Price(Shaped):
    object = 'price'
    _id_prefix = 'price_'
    _template = 'price'

    def __init__(self, product=None, product_data=None, currency=None,
                 unit_amount=None, recurring=None, nickname=None,
                 active=True, metadata=None, lookup_key=None,
                 tax_behavior=None, **kwargs):
        reject_unknown(kwargs)
        currency = as_str(currency, 'currency', required=True).lower()
        unit_amount = as_int(unit_amount, 'unit_amount', minimum=0)
        active = as_bool(active, 'active')
        metadata = as_metadata(metadata)
        as_str(nickname, 'nickname')
        as_str(lookup_key, 'lookup_key')
        if recurring is not None:
            if type(recurring) is not dict or recurring.get(
                    'interval') not in ('day', 'week', 'month', 'year'):
                raise bad('Invalid recurring[interval]', 'recurring[interval]')
            recurring = {
                'interval': recurring['interval'],
                'interval_count': as_int(recurring.get('interval_count', 1),
                                         'recurring[interval_count]', 1),
                'meter': None, 'usage_type': 'licensed',
                'trial_period_days': None}
        if product_data is not None:
            if product is not None or type(product_data) is not dict:
                raise bad('Pass product or product_data', 'product_data')
        else:
            R.Product._api_retrieve(as_str(product, 'product', True))

        if product_data is not None:  # all checks done
            product = R.Product(name=product_data.get('name'),
                                metadata=product_data.get('metadata')).id
        super().__init__()
        self.active = active
        self.currency = currency
        self.lookup_key = lookup_key
        self.metadata = metadata
        self.nickname = nickname
        self.product = product
        self.recurring = recurring
        self.tax_behavior = tax_behavior or 'unspecified'
        self.type = 'recurring' if recurring else 'one_time'
        self.unit_amount = unit_amount
        self.unit_amount_decimal = str(unit_amount)
        if recurring:
            R.Plan(id=self.id, product=product, currency=currency,
                   amount=unit_amount, interval=recurring['interval'],
                   interval_count=recurring['interval_count'],
                   nickname=nickname, active=active, metadata=dict(metadata))
        event('price.created', self)

    def _update(self, active=None, nickname=None, metadata=None,
                lookup_key=None, **kwargs):
        reject_unknown(kwargs)
        before = self._export()
        if active is not None:
            self.active = as_bool(active, 'active')
        if nickname is not None:
            self.nickname = nickname or None
        if lookup_key is not None:
            self.lookup_key = lookup_key or None
        if metadata is not None:
            self.metadata = merge_metadata(self.metadata, metadata)
        plan = R.store.get('plan:' + self.id)
        if plan is not None:
            plan.active, plan.nickname = self.active, self.nickname
            plan.metadata = dict(self.metadata)
        prev = diff(before, self._export())
        if prev:
            event('price.updated', self, prev)

    @classmethod
    def _api_delete(cls, id):
        raise UserError(405, 'Method Not Allowed')

    @classmethod
    def _api_list_all(cls, url, product=None, active=None, type=None,
                      currency=None, limit=None, starting_after=None,
                      **kwargs):
        reject_unknown(kwargs)
        if active is not None:
            active = as_bool(active, 'active')
        return super()._api_list_all(url, limit, starting_after,
                                     product=product, active=active,
                                     type=type, currency=currency)


# expand[]=... resolves ids by prefix over StripeObject's direct subclasses;
# let it find ours (subclasses of Shaped) too.
_orig_class_for_id = R.StripeObject._get_class_for_id.__func__


def _class_for_id(cls, id):
    return _orig_class_for_id(cls, id) or next(
        (c for c in Shaped.__subclasses__() if id.startswith(c._id_prefix)),
        None)


R.StripeObject._get_class_for_id = classmethod(_class_for_id)


def price_for_plan(plan):
    """Price-shaped dict for a localstripe Plan (items carry both)."""
    p = R.store.get('price:' + plan.id)
    if p is not None:
        return p._export()
    out = template('price')
    out.update(id=plan.id, active=plan.active, created=plan.created,
               currency=plan.currency, metadata=dict(plan.metadata or {}),
               nickname=plan.nickname, product=plan.product,
               type='recurring', unit_amount=plan.amount,
               unit_amount_decimal=str(plan.amount),
               billing_scheme=plan.billing_scheme, tiers_mode=plan.tiers_mode,
               recurring={'interval': plan.interval,
                          'interval_count': plan.interval_count,
                          'meter': None, 'usage_type': plan.usage_type,
                          'trial_period_days': plan.trial_period_days})
    return out


def items_price_to_plan(items):
    """`items[n][price]` -> the Plan localstripe understands (same id)."""
    if type(items) is not list:
        return items
    for i, item in enumerate(items):
        if type(item) is dict and item.get('price') is not None:
            if item.get('plan') is not None:
                raise bad('Pass price or plan, not both',
                          'items[%d][price]' % i)
            price = Price._api_retrieve(item.pop('price'))
            if price.type != 'recurring':
                raise bad('The price specified is set to `type=one_time` but '
                          'this field only accepts prices with '
                          '`type=recurring`.', 'items[%d][price]' % i)
            item['plan'] = price.id
    return items


# --------------------------------------------------------------------------
# 4. Subscriptions: accept `price` on items; items carry `price`,
#    `subscription` and their period; `customer.subscription.updated` with
#    previous_attributes on every change (API update, payment-driven status).
# --------------------------------------------------------------------------
def _item_period(self):
    sub = R.store.get('subscription:' + (self._subscription or ''))
    if sub is not None and sub.status == 'trialing' and sub.trial_end:
        return {'start': sub.trial_start or sub.start_date,
                'end': sub.trial_end}
    return self._current_period()


R.SubscriptionItem.price = property(lambda self: price_for_plan(self.plan))
R.SubscriptionItem.subscription = property(lambda self: self._subscription)
R.SubscriptionItem.current_period_start = property(
    lambda self: _item_period(self)['start'])
R.SubscriptionItem.current_period_end = property(
    lambda self: _item_period(self)['end'])
R.Subscription.current_period_start = property(
    lambda self: self.items._list[0].current_period_start)
R.Subscription.current_period_end = property(
    lambda self: self.items._list[0].current_period_end)
R.Subscription.currency = property(lambda self: self.plan.currency)
R.Subscription.collection_method = 'charge_automatically'
R.Subscription.default_payment_method = property(
    lambda self: getattr(self, '_default_payment_method', None))


def _fix_trial(sub):
    if sub.status == 'incomplete' and sub.latest_invoice is None and (
            sub.trial_period_days or sub.trial_end):
        sub.status = 'trialing'
        sub.trial_start = sub.start_date
        if sub.trial_end is None:
            sub.trial_end = sub.start_date + sub.trial_period_days * 86400


# Products accept `images` as Stripe's do (localstripe 1.15 refuses them).
_orig_product_init = R.Product.__init__


def _product_init(self, images=None, **kwargs):
    if images is not None and (not isinstance(images, list) or len(images) > 8
                               or not all(isinstance(i, str) for i in images)):
        raise UserError(400, 'Bad request: images must be up to 8 URLs')
    _orig_product_init(self, **kwargs)
    self.images = images or []


R.Product.__init__ = _product_init


_orig_sub_init = R.Subscription.__init__


def _sub_init(self, items=None, _tk_default_payment_method=None, **kwargs):
    self._default_payment_method = _tk_default_payment_method
    _orig_sub_init(self, items=items_price_to_plan(items), **kwargs)


R.Subscription.__init__ = _sub_init


def emit_subscription_updated(sub, before):
    after = sub._export()
    if after['status'] == 'canceled' and after.get('ended_at'):
        return  # deleted: localstripe emits customer.subscription.deleted
    prev = diff(before, after)
    if prev:
        event('customer.subscription.updated', sub, prev)


_orig_sub_update = R.Subscription._update
_sub_update_params = set(inspect.signature(_orig_sub_update).parameters)
# Accepted and ignored (localstripe has no proration / payment behaviour):
_sub_update_ignored = {'proration_behavior', 'payment_behavior'}


def _sub_update(self, items=None, **data):
    for k in _sub_update_ignored:
        data.pop(k, None)
    reject_unknown({k: v for k, v in data.items()
                    if k not in _sub_update_params})
    before = self._export()
    _orig_sub_update(self, items=items_price_to_plan(items), **data)
    if 'cancel_at_period_end' in data:  # as Stripe does
        if self.cancel_at_period_end:
            self.cancel_at = self.current_period_end
            self.canceled_at = now()
        else:
            self.cancel_at = self.canceled_at = None
    emit_subscription_updated(self, before)


R.Subscription._update = _sub_update


def _wrap_status_hook(name):
    orig = getattr(R.Subscription, name)

    def hook(self, *args, **kwargs):
        before = self._export()
        result = orig(self, *args, **kwargs)
        if getattr(self, '_tk_announced', False):
            emit_subscription_updated(self, before)
        return result
    setattr(R.Subscription, name, hook)


for _name in ('_on_initial_payment_success', '_on_initial_payment_voided',
              '_on_recurring_payment_failure'):
    _wrap_status_hook(_name)

_orig_sub_delete = R.Subscription._api_delete.__func__


def _sub_delete(cls, id):
    sub = R.Subscription._api_retrieve(id)
    if sub.canceled_at is None:
        sub.canceled_at = now()
    return _orig_sub_delete(cls, id)


R.Subscription._api_delete = classmethod(_sub_delete)


# Test-only: force a status (past_due, unpaid, active, ...) with an event.
async def testkit_subscription_status(request):
    data = await S.get_post_data(request) or {}
    sub = R.Subscription._api_retrieve(request.match_info['id'])
    status = data.get('status')
    if status not in ('incomplete', 'incomplete_expired', 'trialing',
                      'active', 'past_due', 'unpaid', 'paused'):
        raise bad('status must be a non-canceled Stripe status '
                  '(use DELETE /v1/subscriptions/{id} to cancel)', 'status')
    before = sub._export()
    sub.status = status
    emit_subscription_updated(sub, before)
    return S.json_response(sub._export())


# --------------------------------------------------------------------------
# 5. /v1/webhook_endpoints, wired to localstripe's own delivery
#    (what POST /_config/webhooks/{id} does).
# --------------------------------------------------------------------------
class WebhookEndpoint(Shaped):
    object = 'webhook_endpoint'
    _id_prefix = 'we_'
    _template = 'webhook_endpoint'

    def __init__(self, url=None, enabled_events=None, api_version=None,
                 description=None, metadata=None, connect=None, **kwargs):
        reject_unknown(kwargs)
        self._check(url, enabled_events)
        metadata = as_metadata(metadata)
        super().__init__()
        self.url = url
        self.enabled_events = list(enabled_events)
        self.api_version = api_version
        self.description = description
        self.metadata = metadata
        self.status = 'enabled'
        self.application = None
        self._secret = 'whsec_' + R.random_id(32)
        self._show_secret = True  # only in the create response
        self._register()

    @staticmethod
    def _check(url, enabled_events):
        if url is not None and (type(url) is not str or
                                not url.startswith('http')):
            raise bad('Invalid URL', 'url')
        if enabled_events is not None and (
                type(enabled_events) is not list or not enabled_events or
                not all(type(e) is str for e in enabled_events)):
            raise bad('Invalid enabled_events', 'enabled_events')

    def _register(self):
        if self.status == 'enabled':
            events = (None if '*' in self.enabled_events
                      else list(self.enabled_events))
            W.register_webhook(self.id, self.url, self._secret, events)
        else:
            W._webhooks.pop(self.id, None)

    def _export(self, expand=None):
        obj = super()._export(expand=expand)
        if self._show_secret:
            obj['secret'] = self._secret
            self._show_secret = False
        return obj

    def _update(self, url=None, enabled_events=None, description=None,
                metadata=None, disabled=None, **kwargs):
        reject_unknown(kwargs)
        self._check(url, enabled_events)
        if url is not None:
            self.url = url
        if enabled_events is not None:
            self.enabled_events = list(enabled_events)
        if description is not None:
            self.description = description or None
        if metadata is not None:
            self.metadata = merge_metadata(self.metadata, metadata)
        if disabled is not None:
            self.status = 'disabled' if as_bool(disabled, 'disabled') \
                else 'enabled'
        self._register()

    @classmethod
    def _api_delete(cls, id):
        cls._api_retrieve(id)
        W._webhooks.pop(id, None)
        return super()._api_delete(id)

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, **kwargs):
        reject_unknown(kwargs)
        return super()._api_list_all(url, limit, starting_after)


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


# --------------------------------------------------------------------------
# 7. /v1/payment_links (+ line_items); a visit opens a checkout session.
# --------------------------------------------------------------------------
class PaymentLink(Shaped):
    object = 'payment_link'
    _id_prefix = 'plink_'
    _template = 'payment_link'

    def __init__(self, line_items=None, metadata=None, after_completion=None,
                 allow_promotion_codes=None, subscription_data=None,
                 customer_creation=None, active=None, **kwargs):
        reject_unknown(kwargs)
        items = parse_line_items(line_items)
        after_completion = self._check_after_completion(after_completion)
        metadata = as_metadata(metadata)
        sd = subscription_data
        if sd is not None:
            if type(sd) is not dict or set(sd) - {
                    'trial_period_days', 'metadata', 'description'}:
                raise bad('Invalid subscription_data', 'subscription_data')
            trial = sd.get('trial_period_days')
            sd = {'description': sd.get('description'),
                  'invoice_settings': {'issuer': {'type': 'self'}},
                  'metadata': as_metadata(sd.get('metadata'),
                                          'subscription_data[metadata]'),
                  'trial_period_days': None if trial is None else as_int(
                      trial, 'subscription_data[trial_period_days]', 1),
                  'trial_settings': {'end_behavior': {
                      'missing_payment_method': 'create_invoice'}}}
        super().__init__()
        self._line_items = [LineItem(p, q).id for p, q in items]
        self.currency = items[0][0].currency
        self.metadata = metadata
        self.after_completion = after_completion
        self.allow_promotion_codes = bool(allow_promotion_codes and as_bool(
            allow_promotion_codes, 'allow_promotion_codes'))
        self.customer_creation = customer_creation or 'if_required'
        self.subscription_data = sd
        self.active = True if active is None else as_bool(active, 'active')
        self.url = '%s/pay/%s' % (STATE['base_url'], self.id)
        event('payment_link.created', self)

    @staticmethod
    def _check_after_completion(ac):
        if ac is None:
            return template('payment_link')['after_completion']
        if type(ac) is not dict or ac.get('type') not in (
                'redirect', 'hosted_confirmation'):
            raise bad('Invalid after_completion', 'after_completion[type]')
        if ac['type'] == 'redirect':
            url = (ac.get('redirect') or {}).get('url')
            as_str(url, 'after_completion[redirect][url]', True)
            return {'type': 'redirect', 'redirect': {'url': url}}
        msg = (ac.get('hosted_confirmation') or {}).get('custom_message')
        return {'type': 'hosted_confirmation',
                'hosted_confirmation': {'custom_message': msg}}

    def _update(self, active=None, line_items=None, metadata=None,
                after_completion=None, allow_promotion_codes=None, **kwargs):
        reject_unknown(kwargs)
        before = self._export()
        if line_items is not None:
            self._line_items = [LineItem(p, q).id
                                for p, q in parse_line_items(line_items)]
        if after_completion is not None:
            self.after_completion = self._check_after_completion(
                after_completion)
        if active is not None:
            self.active = as_bool(active, 'active')
        if allow_promotion_codes is not None:
            self.allow_promotion_codes = as_bool(allow_promotion_codes,
                                                 'allow_promotion_codes')
        if metadata is not None:
            self.metadata = merge_metadata(self.metadata, metadata)
        prev = diff(before, self._export())
        if prev:
            event('payment_link.updated', self, prev)

    @classmethod
    def _api_delete(cls, id):
        raise UserError(405, 'Method Not Allowed')

    @classmethod
    def _api_list_all(cls, url, active=None, limit=None, starting_after=None,
                      **kwargs):
        reject_unknown(kwargs)
        if active is not None:
            active = as_bool(active, 'active')
        return super()._api_list_all(url, limit, starting_after,
                                     active=active)

    @classmethod
    def _api_list_line_items(cls, id, limit=None, starting_after=None,
                             **kwargs):
        reject_unknown(kwargs)
        return line_items_list('/v1/payment_links/%s/line_items' % id,
                               cls._api_retrieve(id)._line_items,
                               limit, starting_after)

    def _open_checkout(self):
        """What a visit to the link's url does: a new checkout session."""
        if not self.active:
            raise bad('This payment link is no longer active')
        items = [R.store['item:' + i] for i in self._line_items]
        recurring = any(Price._api_retrieve(i.price).type == 'recurring'
                        for i in items)
        sd = self.subscription_data or {}
        return CheckoutSession(
            mode='subscription' if recurring else 'payment',
            line_items=[{'price': i.price, 'quantity': i.quantity}
                        for i in items],
            metadata=dict(self.metadata),  # Stripe copies link metadata
            allow_promotion_codes=self.allow_promotion_codes,
            subscription_data={k: sd[k] for k in (
                'trial_period_days', 'metadata') if sd.get(k)} or None,
            customer_creation=(None if recurring
                               else self.customer_creation),
            success_url=(self.after_completion.get('redirect') or {}).get(
                'url'),
            _payment_link=self.id)


async def testkit_payment_link_checkout(request):
    link = PaymentLink._api_retrieve(request.match_info['id'])
    return S.json_response(link._open_checkout()._export())


# --------------------------------------------------------------------------
# 8. /v1/billing_portal/configurations and /v1/billing_portal/sessions
# --------------------------------------------------------------------------
class PortalConfiguration(Shaped):
    object = 'billing_portal.configuration'
    _id_prefix = 'bpc_'
    _template = 'billing_portal.configuration'

    def __init__(self, business_profile=None, features=None,
                 default_return_url=None, metadata=None, login_page=None,
                 name=None, _is_default=False, **kwargs):
        reject_unknown(kwargs)
        t = template(self._template)
        deep_merge(t['business_profile'], business_profile or {},
                   'business_profile')
        deep_merge(t['features'], features or {}, 'features')
        deep_merge(t['login_page'], login_page or {}, 'login_page')
        metadata = as_metadata(metadata)
        super().__init__()
        self.business_profile = t['business_profile']
        self.features = t['features']
        self.login_page = t['login_page']
        if self.login_page['enabled']:
            self.login_page['url'] = '%s/billing_portal/login/%s' % (
                STATE['base_url'], self.id)
        self.default_return_url = default_return_url
        self.metadata = metadata
        self.name = name
        self.is_default = bool(_is_default)
        self.updated = self.created

    def _update(self, active=None, business_profile=None, features=None,
                default_return_url=None, metadata=None, login_page=None,
                name=None, **kwargs):
        reject_unknown(kwargs)
        if business_profile is not None:
            deep_merge(self.business_profile, business_profile,
                       'business_profile')
        if features is not None:
            deep_merge(self.features, features, 'features')
        if login_page is not None:
            deep_merge(self.login_page, login_page, 'login_page')
        if active is not None:
            self.active = as_bool(active, 'active')
        if default_return_url is not None:
            self.default_return_url = default_return_url or None
        if name is not None:
            self.name = name or None
        if metadata is not None:
            self.metadata = merge_metadata(self.metadata, metadata)
        self.updated = now()

    @classmethod
    def _api_delete(cls, id):
        raise UserError(405, 'Method Not Allowed')

    @classmethod
    def _api_list_all(cls, url, active=None, is_default=None, limit=None,
                      starting_after=None, **kwargs):
        reject_unknown(kwargs)
        if active is not None:
            active = as_bool(active, 'active')
        if is_default is not None:
            is_default = as_bool(is_default, 'is_default')
        return super()._api_list_all(url, limit, starting_after,
                                     active=active, is_default=is_default)


class PortalSession(Shaped):
    object = 'billing_portal.session'
    _id_prefix = 'bps_'
    _template = 'billing_portal.session'

    def __init__(self, customer=None, return_url=None, configuration=None,
                 locale=None, on_behalf_of=None, flow_data=None, **kwargs):
        reject_unknown(kwargs)
        R.Customer._api_retrieve(as_str(customer, 'customer', True))
        if configuration is not None:
            config = PortalConfiguration._api_retrieve(configuration)
        else:
            config = next((c for k, c in R.store.items()
                           if k.startswith('billing_portal.configuration:')
                           and c.is_default), None) or \
                PortalConfiguration(_is_default=True)
        return_url = return_url or config.default_return_url
        super().__init__()
        self.customer = customer
        self.configuration = config.id
        self.return_url = return_url
        self.locale = locale
        self.on_behalf_of = on_behalf_of
        self.flow = None
        self.url = '%s/billing_portal/%s' % (STATE['base_url'], self.id)


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


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
async def serve(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', args.port))
    port = sock.getsockname()[1]
    STATE['base_url'] = 'http://127.0.0.1:%d' % port

    runner = web.AppRunner(build_app(), access_log=(
        logging.getLogger('aiohttp.access') if args.log_file else None))
    await runner.setup()
    await web.SockSite(runner, sock).start()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        loop.add_reader(sys.stdin.fileno(), lambda: (
            os.read(sys.stdin.fileno(), 4096) or stop.set()))

    print('LISTENING %d' % port, flush=True)
    await stop.wait()
    await runner.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--port', type=int, default=0,
                    help='TCP port on 127.0.0.1 (0 = pick a free one)')
    ap.add_argument('--log-file',
                    help='append access and webhook delivery logs here')
    ap.add_argument('--event-api-version',
                    help='api_version written on events '
                         '(localstripe writes 2017-08-15)')
    ap.add_argument('--account-name', default=STATE['account_name'])
    ap.add_argument('--account-email', default=STATE['account_email'])
    ap.add_argument('--exit-on-stdin-eof', action='store_true',
                    help='also exit when stdin closes (parent died)')
    args = ap.parse_args()
    STATE['event_api_version'] = args.event_api_version
    STATE['account_name'] = args.account_name
    STATE['account_email'] = args.account_email
    if args.log_file:
        handler = logging.FileHandler(args.log_file)
        handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
        for name in ('aiohttp.access', 'aiohttp.server', 'aiohttp.web'):
            logging.getLogger(name).addHandler(handler)
            logging.getLogger(name).setLevel(logging.INFO)
    asyncio.run(serve(args))


if __name__ == '__main__':
    main()
