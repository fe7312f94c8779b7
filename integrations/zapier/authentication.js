'use strict';

const { api, SCOPES } = require('./lib/api');

// GET /api/v1/app answers with the app the key belongs to.
const test = async (z, bundle) => {
  const res = await api(z, bundle, 'GET', '/app');
  const app = res.data;
  if (!app || typeof app !== 'object' || !app.id || !app.name) {
    throw new z.errors.Error('The base URL answered, but not like a Tollgate site: check that it is the address of your Tollgate site.', 'not_tollgate', 502);
  }
  return app;
};

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'base_url',
      label: 'Tollgate URL',
      type: 'string',
      required: true,
      placeholder: 'https://members.example.com',
      helpText: 'The address of your Tollgate site, the one you open the admin at (without /api/v1).',
    },
    {
      key: 'api_key',
      label: 'API Key',
      type: 'password',
      required: true,
      placeholder: 'tg_key_…',
      helpText: `Create a key in Tollgate under **Settings → API keys** with the scopes ${SCOPES.map((s) => `\`${s}\``).join(', ')}, and paste it here.`,
    },
  ],
  test,
  connectionLabel: (z, bundle) => {
    const app = bundle.inputData || {};
    return app.name || 'Tollgate';
  },
};
