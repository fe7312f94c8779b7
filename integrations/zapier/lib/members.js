'use strict';

const { api, problemError, text } = require('./api');

const MAX_PAGES = 10;

// A trimmed email or a clear error.
const requireEmail = (z, value) => {
  const email = text(value);
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new z.errors.Error(`"${value === undefined ? '' : value}" is not an email address.`, 'invalid_email', 400);
  }
  return email;
};

// The member whose email is exactly `email` (case-insensitive), or null.
// GET /users?q= matches the start of the email or part of the name, so the
// exact match is picked here.
const findMemberByEmail = async (z, bundle, email) => {
  const wanted = email.toLowerCase();
  let cursor;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = { q: email, limit: 100 };
    if (cursor) params.cursor = cursor;
    const res = await api(z, bundle, 'GET', '/users', { params });
    const body = res.data || {};
    const hit = (body.data || []).find((m) => String(m.email).toLowerCase() === wanted);
    if (hit) return hit;
    cursor = body.next_cursor;
    if (!cursor) return null;
  }
  return null;
};

// Creates a member; when someone else created it meanwhile, returns that one.
const createMember = async (z, bundle, { email, name, sendInvite }) => {
  const body = { email };
  if (name) body.name = name;
  if (sendInvite !== undefined) body.send_invite = sendInvite;
  const res = await api(z, bundle, 'POST', '/users', { body, skipThrowForStatus: true });
  if (res.status === 201 || res.status === 200) return res.data;
  const problem = res.data && typeof res.data === 'object' ? res.data : {};
  const taken = res.status === 422 && (problem.errors || []).some((e) => e.field === 'email' && e.code === 'taken');
  if (taken) {
    const existing = await findMemberByEmail(z, bundle, email);
    if (existing) return { ...existing, _existed: true };
  }
  throw problemError(z, res);
};

// The member with this email; created when `create` is set, else a clear error.
const memberForEmail = async (z, bundle, email, { create = false, name, sendInvite } = {}) => {
  const found = await findMemberByEmail(z, bundle, email);
  if (found) return { member: found, created: false };
  if (!create) {
    throw new z.errors.Error(`Tollgate has no member with the email ${email}.`, 'member_not_found', 404);
  }
  const made = await createMember(z, bundle, { email, name, sendInvite });
  const created = !made._existed;
  delete made._existed;
  return { member: made, created };
};

module.exports = { requireEmail, findMemberByEmail, createMember, memberForEmail };
