'use strict';

// Input fields shared by the actions and the search.

const email = {
  key: 'email',
  label: 'Email',
  type: 'string',
  required: true,
  helpText: "The member's email address (matched exactly, ignoring case).",
};

const product = {
  key: 'product_id',
  label: 'Product',
  type: 'string',
  required: true,
  dynamic: 'product_list.id.name',
  helpText: 'The Tollgate product. Archived products are not listed.',
};

module.exports = { email, product };
