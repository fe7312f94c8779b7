"""Fixtures, run-time state, Stripe-like validation helpers and the Shaped
base class shared by the resources localstripe lacks."""

import copy
import json
import os
import time

from localstripe import resources as R
from localstripe.errors import UserError


HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # testkit
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
