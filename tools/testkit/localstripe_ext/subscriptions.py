"""Subscriptions (and products' images) patched into localstripe."""

import inspect

from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from .common import bad, diff, event, now, reject_unknown
from .prices import items_price_to_plan, price_for_plan


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
