'use strict';

const { requireEmail, findMemberByEmail } = require('../lib/members');
const { MEMBER_OUTPUT, MEMBER_SAMPLE } = require('../lib/fields');
const inputs = require('../lib/inputs');

module.exports = {
  key: 'find_member',
  noun: 'Member',
  display: {
    label: 'Find Member',
    description: 'Finds a member by email address (exact match, ignoring case).',
  },
  operation: {
    inputFields: [inputs.email],
    perform: async (z, bundle) => {
      const email = requireEmail(z, bundle.inputData.email);
      const member = await findMemberByEmail(z, bundle, email);
      return member ? [member] : [];
    },
    sample: MEMBER_SAMPLE,
    outputFields: MEMBER_OUTPUT,
  },
};
