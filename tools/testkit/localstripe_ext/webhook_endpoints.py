"""/v1/webhook_endpoints, wired to localstripe's delivery."""

from localstripe import resources as R
from localstripe import webhooks as W

from .common import (
    Shaped, as_bool, as_metadata, bad, merge_metadata, reject_unknown)


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
