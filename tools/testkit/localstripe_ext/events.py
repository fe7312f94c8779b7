"""Events and webhook delivery (patched into localstripe at import)."""

import asyncio
import copy
import hashlib
import hmac
import json
import logging

import aiohttp

from localstripe import resources as R
from localstripe import webhooks as W

from .common import STATE
from .subscriptions import _fix_trial


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
