'use strict';

// Hidden trigger feeding the Product dropdowns of the actions.

const { api } = require('../lib/api');

const MAX_PAGES = 10;

module.exports = {
  key: 'product_list',
  noun: 'Product',
  display: {
    label: 'List Products',
    description: 'Lists the products of the Tollgate site, for the product dropdowns.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    perform: async (z, bundle) => {
      const out = [];
      let cursor;
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = { limit: 100 };
        if (cursor) params.cursor = cursor;
        const res = await api(z, bundle, 'GET', '/products', { params });
        const body = res.data || {};
        out.push(...(body.data || []));
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      return out;
    },
    sample: {
      id: 'prod_0194b2c3d4e57a1b8c9d0e1f2a3b4c6e',
      name: 'Starter Course',
      description: 'Ten lessons to get going.',
      image_url: null,
      purchase_method: 'direct_checkout',
      external_url: null,
      show_locked_card: true,
      archived_at: null,
      created_at: '2025-10-01T08:00:00Z',
      updated_at: '2025-10-01T08:00:00Z',
    },
    outputFields: [
      { key: 'id', label: 'Product ID' },
      { key: 'name', label: 'Name' },
    ],
  },
};
