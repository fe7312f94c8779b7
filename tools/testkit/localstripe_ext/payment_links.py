"""/v1/payment_links; a visit opens a checkout session."""

from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from .common import (
    STATE, Shaped, as_bool, as_int, as_metadata, as_str, bad, diff, event,
    merge_metadata, reject_unknown, template)
from .checkout import (
    CheckoutSession, LineItem, line_items_list, parse_line_items)
from .prices import Price


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
