"""/v1/billing_portal/configurations and /v1/billing_portal/sessions."""

from localstripe import resources as R
from localstripe.errors import UserError

from .common import (
    STATE, Shaped, as_bool, as_metadata, as_str, deep_merge,
    merge_metadata, now, reject_unknown, template)


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
