"""/v1/prices (a recurring price is also a localstripe Plan)."""

from localstripe import resources as R
from localstripe.errors import UserError

from .common import (
    Shaped, as_bool, as_int, as_metadata, as_str, bad, diff, event,
    merge_metadata, reject_unknown, template)


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
