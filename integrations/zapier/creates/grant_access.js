'use strict';

const { api, problemError, text, toBool } = require('../lib/api');
const { requireEmail, memberForEmail } = require('../lib/members');
const { GRANT_OUTPUT, GRANT_SAMPLE, MEMBER_SAMPLE, memberSummary } = require('../lib/fields');
const inputs = require('../lib/inputs');

const timestamp = (z, value) => {
  const v = text(value);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    throw new z.errors.Error(`"${v}" is not a date and time (for Ends At).`, 'invalid_datetime', 400);
  }
  return d.toISOString();
};

// The member's open manual grant of the product (the one a 409 says exists).
const openManualGrant = async (z, bundle, memberId, productId) => {
  const res = await api(z, bundle, 'GET', `/users/${encodeURIComponent(memberId)}/access`, { params: { product_id: productId, limit: 100 } });
  const grants = (res.data && res.data.data) || [];
  const open = grants.filter((g) => !g.revoked_at);
  return open.find((g) => g.active && g.source === 'manual') || open.find((g) => g.active) || open.find((g) => g.source === 'manual') || null;
};

const perform = async (z, bundle) => {
  const input = bundle.inputData;
  const email = requireEmail(z, input.email);
  const productId = text(input.product_id);
  if (!productId) throw new z.errors.Error('Choose the product to grant.', 'missing_product', 400);
  const { member, created } = await memberForEmail(z, bundle, email, {
    create: toBool(input.create_member, false),
    name: text(input.name),
    sendInvite: toBool(input.send_invite, false),
  });

  const body = { product_id: productId };
  const endsAt = timestamp(z, input.ends_at);
  if (endsAt) body.ends_at = endsAt;
  const reason = text(input.reason);
  if (reason) body.reason = reason;
  const notify = toBool(input.notify, undefined);
  if (notify !== undefined) body.notify = notify;

  const res = await api(z, bundle, 'POST', `/users/${encodeURIComponent(member.id)}/access`, { body, skipThrowForStatus: true });
  if (res.status < 300) {
    return { ...res.data, already_granted: false, member_created: created, member: memberSummary(member) };
  }
  const code = res.data && res.data.code;
  if (res.status === 409 && code === 'access_already_granted') {
    const grant = await openManualGrant(z, bundle, member.id, productId);
    if (grant && grant.active) {
      return { ...grant, already_granted: true, member_created: created, member: memberSummary(member) };
    }
    if (grant) {
      throw new z.errors.Error(
        `${email} has a grant of this product that is no longer active (${grant.id}, ended ${grant.ends_at}); revoke it in Tollgate before granting again.`,
        'access_already_granted',
        409,
      );
    }
  }
  throw problemError(z, res);
};

module.exports = {
  key: 'grant_access',
  noun: 'Access',
  display: {
    label: 'Grant Access',
    description: 'Gives a member access to a product. A member who already has access keeps the grant they have.',
  },
  operation: {
    inputFields: [
      inputs.email,
      inputs.product,
      {
        key: 'create_member',
        label: 'Create Member If Missing',
        type: 'boolean',
        required: false,
        default: 'false',
        helpText: 'When no member has this email: **yes** creates one, **no** stops with an error.',
      },
      { key: 'name', label: 'Name', type: 'string', required: false, helpText: 'The name of a member created by this step (ignored for existing members).' },
      {
        key: 'send_invite',
        label: 'Invite New Member',
        type: 'boolean',
        required: false,
        default: 'false',
        helpText: 'Email a member created by this step an invitation to set a password.',
      },
      { key: 'ends_at', label: 'Ends At', type: 'datetime', required: false, helpText: 'When the access ends. Empty: it does not end.' },
      { key: 'reason', label: 'Reason', type: 'string', required: false, helpText: 'A note kept with the grant, e.g. "Webinar attendee".' },
      {
        key: 'notify',
        label: 'Notify Member',
        type: 'boolean',
        required: false,
        default: 'true',
        helpText: 'Email the member that they now have access.',
      },
    ],
    perform,
    sample: { ...GRANT_SAMPLE, already_granted: false, member_created: false, member: { id: MEMBER_SAMPLE.id, email: MEMBER_SAMPLE.email, name: MEMBER_SAMPLE.name } },
    outputFields: [
      ...GRANT_OUTPUT,
      { key: 'already_granted', label: 'Already Granted', type: 'boolean' },
      { key: 'member_created', label: 'Member Created', type: 'boolean' },
      { key: 'member__id', label: 'Member ID' },
      { key: 'member__email', label: 'Member Email' },
      { key: 'member__name', label: 'Member Name' },
    ],
  },
};
