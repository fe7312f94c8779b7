'use strict';

// The Zapier app definition of Tollgate.

const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');

const authentication = require('./authentication');
const { addBearer, handleErrors } = require('./lib/api');
const hookTriggers = require('./triggers/hooks');
const productList = require('./triggers/products');
const createOrUpdateMember = require('./creates/create_or_update_member');
const grantAccess = require('./creates/grant_access');
const removeAccess = require('./creates/remove_access');
const findMember = require('./searches/find_member');

const byKey = (list) => Object.fromEntries(list.map((x) => [x.key, x]));

module.exports = {
  version,
  platformVersion,

  authentication,
  beforeRequest: [addBearer],
  afterResponse: [handleErrors],

  triggers: byKey([...hookTriggers, productList]),
  creates: byKey([createOrUpdateMember, grantAccess, removeAccess]),
  searches: byKey([findMember]),
  searchOrCreates: {
    find_member: {
      key: 'find_member',
      display: {
        label: 'Find or Create Member',
        description: 'Finds a member by email, or creates one when there is none.',
      },
      search: 'find_member',
      create: 'create_or_update_member',
    },
  },
};
