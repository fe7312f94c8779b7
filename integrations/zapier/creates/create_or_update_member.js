'use strict';

const { api, text, toBool } = require('../lib/api');
const { requireEmail, findMemberByEmail, createMember } = require('../lib/members');
const { MEMBER_OUTPUT, MEMBER_SAMPLE } = require('../lib/fields');
const inputs = require('../lib/inputs');

// Finds the member by email: creates one when there is none, else updates the name.
const perform = async (z, bundle) => {
  const email = requireEmail(z, bundle.inputData.email);
  const name = text(bundle.inputData.name);
  const existing = await findMemberByEmail(z, bundle, email);
  if (!existing) {
    const made = await createMember(z, bundle, { email, name, sendInvite: toBool(bundle.inputData.send_invite, false) });
    const existed = Boolean(made._existed);
    delete made._existed;
    if (!existed) return { ...made, created: true };
    // Created by someone else meanwhile: fall through to the update.
    return update(z, bundle, made, name);
  }
  return update(z, bundle, existing, name);
};

const update = async (z, bundle, member, name) => {
  if (name === undefined || name === member.name) return { ...member, created: false };
  const res = await api(z, bundle, 'PATCH', `/users/${encodeURIComponent(member.id)}`, { body: { name } });
  return { ...res.data, created: false };
};

module.exports = {
  key: 'create_or_update_member',
  noun: 'Member',
  display: {
    label: 'Create or Update Member',
    description: 'Creates a member, or updates the name of the member who already has this email.',
  },
  operation: {
    inputFields: [
      inputs.email,
      { key: 'name', label: 'Name', type: 'string', required: false, helpText: "The member's full name. Left empty, an existing member's name is kept." },
      {
        key: 'send_invite',
        label: 'Send Invitation',
        type: 'boolean',
        required: false,
        default: 'false',
        helpText: 'Email a new member an invitation to set a password. Existing members get no email.',
      },
    ],
    perform,
    sample: { ...MEMBER_SAMPLE, created: true },
    outputFields: [...MEMBER_OUTPUT, { key: 'created', label: 'Created', type: 'boolean' }],
  },
};
