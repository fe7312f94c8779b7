'use strict';

const { api, problemError, text } = require('../lib/api');
const { requireEmail, memberForEmail } = require('../lib/members');
const { GRANT_SAMPLE, MEMBER_SAMPLE, memberSummary } = require('../lib/fields');
const inputs = require('../lib/inputs');

const MAX_PAGES = 10;

const grantsOf = async (z, bundle, memberId, productId) => {
  const out = [];
  let cursor;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = { product_id: productId, limit: 100 };
    if (cursor) params.cursor = cursor;
    const res = await api(z, bundle, 'GET', `/users/${encodeURIComponent(memberId)}/access`, { params });
    const body = res.data || {};
    out.push(...(body.data || []));
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return out;
};

// Revokes every active grant of the product the member has (manual, Stripe or any other source).
const perform = async (z, bundle) => {
  const input = bundle.inputData;
  const email = requireEmail(z, input.email);
  const productId = text(input.product_id);
  if (!productId) throw new z.errors.Error('Choose the product to remove.', 'missing_product', 400);
  const { member } = await memberForEmail(z, bundle, email);
  const active = (await grantsOf(z, bundle, member.id, productId)).filter((g) => g.active && !g.revoked_at);
  if (!active.length) {
    throw new z.errors.Error(`${email} has no active access to the product ${productId}.`, 'no_active_access', 404);
  }
  const reason = text(input.reason);
  const revoked = [];
  for (const g of active) {
    const res = await api(z, bundle, 'POST', `/users/${encodeURIComponent(member.id)}/access/${encodeURIComponent(g.id)}/revoke`, {
      body: reason ? { reason } : {},
      skipThrowForStatus: true,
    });
    if (res.status < 300) {
      revoked.push(res.data);
    } else if (!(res.status === 409 && res.data && res.data.code === 'already_revoked')) {
      throw problemError(z, res);
    }
  }
  return {
    id: `${member.id}:${productId}`,
    member: memberSummary(member),
    product_id: productId,
    revoked_count: revoked.length,
    revoked_grants: revoked,
  };
};

module.exports = {
  key: 'remove_access',
  noun: 'Access',
  display: {
    label: 'Remove Access',
    description: "Revokes every active grant of a product a member has, whatever gave it (by hand, Stripe, an import).",
  },
  operation: {
    inputFields: [
      inputs.email,
      inputs.product,
      { key: 'reason', label: 'Reason', type: 'string', required: false, helpText: 'A note kept with the revoked grants, e.g. "Refunded".' },
    ],
    perform,
    sample: {
      id: `${MEMBER_SAMPLE.id}:${GRANT_SAMPLE.product_id}`,
      member: { id: MEMBER_SAMPLE.id, email: MEMBER_SAMPLE.email, name: MEMBER_SAMPLE.name },
      product_id: GRANT_SAMPLE.product_id,
      revoked_count: 1,
      revoked_grants: [{ ...GRANT_SAMPLE, active: false, revoked_at: '2026-02-01T09:00:00Z', revoke_reason: 'Refunded' }],
    },
    outputFields: [
      { key: 'member__id', label: 'Member ID' },
      { key: 'member__email', label: 'Member Email' },
      { key: 'member__name', label: 'Member Name' },
      { key: 'product_id', label: 'Product ID' },
      { key: 'revoked_count', label: 'Revoked Grants Count', type: 'integer' },
      { key: 'revoked_grants[]id', label: 'Revoked Grant IDs' },
      { key: 'revoked_grants[]source', label: 'Revoked Grant Sources' },
    ],
  },
};
