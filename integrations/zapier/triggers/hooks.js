'use strict';

// One instant (REST hook) trigger per Tollgate event type. Subscribing
// registers bundle.targetUrl with POST /api/v1/hooks; Tollgate then POSTs
// each event of the type there as JSON, and answers a 410 by dropping the hook.

const { api, problemError } = require('../lib/api');
const { EVENTS, outputFields, sample } = require('../lib/events');

// Zapier dedupes on `id`: the event id, the same for every retry of one event.
const asResult = (event, fallbackType) => {
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    return { id: `invalid:${Date.now()}`, type: fallbackType, raw: event };
  }
  const id = event.id || [event.type || fallbackType, event.timestamp, event.data && event.data.activity && event.data.activity.id].filter(Boolean).join(':');
  return { ...event, id };
};

const nounOf = (type) => {
  if (type.startsWith('user.') || type.startsWith('member.')) return 'Member';
  if (type.startsWith('product.access_')) return 'Access';
  if (type === 'product.purchased') return 'Purchase';
  return 'Subscription';
};

const hookTrigger = (ev) => ({
  key: ev.key,
  noun: nounOf(ev.type),
  display: {
    label: ev.label,
    description: `Triggers when ${ev.description}.`,
  },
  operation: {
    type: 'hook',

    performSubscribe: async (z, bundle) => {
      const res = await api(z, bundle, 'POST', '/hooks', { body: { target_url: bundle.targetUrl, event: ev.type } });
      return res.data;
    },

    performUnsubscribe: async (z, bundle) => {
      const id = bundle.subscribeData && bundle.subscribeData.id;
      if (!id) {
        throw new z.errors.Error('This Zap has no Tollgate hook to remove (no hook id was stored when it was turned on).', 'missing_hook_id', 400);
      }
      const res = await api(z, bundle, 'DELETE', `/hooks/${encodeURIComponent(id)}`, { skipThrowForStatus: true });
      // 404: already gone (Tollgate drops a hook whose target answered 410).
      if (res.status >= 400 && res.status !== 404) throw problemError(z, res);
      return { id, status: res.status, removed: res.status < 300 };
    },

    perform: async (z, bundle) => [asResult(bundle.cleanedRequest, ev.type)],

    performList: async (z, bundle) => {
      const res = await api(z, bundle, 'GET', `/hooks/samples/${encodeURIComponent(ev.type)}`);
      const list = Array.isArray(res.data) ? res.data : (res.data && res.data.data) || [];
      return list.map((e) => asResult(e, ev.type));
    },

    sample: sample(ev),
    outputFields: outputFields(ev),
  },
});

module.exports = EVENTS.map(hookTrigger);
module.exports.asResult = asResult;
