'use strict';

// Output fields shared by the actions and the search.

const MEMBER_OUTPUT = [
  { key: 'id', label: 'Member ID' },
  { key: 'email', label: 'Email' },
  { key: 'name', label: 'Name' },
  { key: 'has_password', label: 'Has Password', type: 'boolean' },
  { key: 'last_login_at', label: 'Last Login At', type: 'datetime' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
];

const MEMBER_SAMPLE = {
  id: 'usr_0194b2c3d4e57a1b8c9d0e1f2a3b4c5d',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  has_password: false,
  last_login_at: null,
  created_at: '2026-01-15T10:30:00Z',
  updated_at: '2026-01-15T10:30:00Z',
};

const GRANT_OUTPUT = [
  { key: 'id', label: 'Grant ID' },
  { key: 'user_id', label: 'Member ID' },
  { key: 'product_id', label: 'Product ID' },
  { key: 'source', label: 'Source' },
  { key: 'source_ref', label: 'Source Reference' },
  { key: 'reason', label: 'Reason' },
  { key: 'granted_at', label: 'Granted At', type: 'datetime' },
  { key: 'ends_at', label: 'Ends At', type: 'datetime' },
  { key: 'revoked_at', label: 'Revoked At', type: 'datetime' },
  { key: 'revoke_reason', label: 'Revoke Reason' },
  { key: 'active', label: 'Active', type: 'boolean' },
];

const GRANT_SAMPLE = {
  id: 'grant_0194b2c3d4e57a1b8c9d0e1f2a3b4c80',
  user_id: MEMBER_SAMPLE.id,
  product_id: 'prod_0194b2c3d4e57a1b8c9d0e1f2a3b4c6e',
  source: 'manual',
  source_ref: null,
  reason: 'Granted from Zapier',
  granted_at: '2026-01-15T10:30:00Z',
  ends_at: null,
  revoked_at: null,
  revoke_reason: null,
  active: true,
};

const memberSummary = (m) => ({ id: m.id, email: m.email, name: m.name });

module.exports = { MEMBER_OUTPUT, MEMBER_SAMPLE, GRANT_OUTPUT, GRANT_SAMPLE, memberSummary };
