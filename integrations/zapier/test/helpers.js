'use strict';

// Shared by the tests: the live server, an owner, an API key, a product, a
// local webhook receiver, polling with a deadline.

const http = require('node:http');
const assert = require('node:assert/strict');

const BASE = (process.env.TOLLGATE_URL || '').replace(/\/+$/, '');
const SKIP_LIVE = BASE ? false : 'TOLLGATE_URL is not set (scripts/test-zapier.sh starts a server and sets it)';
const SCOPES = ['app:read', 'products:read', 'users:write', 'webhooks:write'];

const OWNER = { email: 'zapier-owner@example.com', password: 'zapier test password 1', name: 'Zed Owner', app_name: 'Zapier Test Academy' };

// A run-unique suffix, so the tests also pass against a server that saw an earlier run.
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const email = (who) => `${who}.${RUN}@example.com`;

async function call(method, path, { token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${BASE}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const textBody = await res.text();
  let data = null;
  try {
    data = textBody ? JSON.parse(textBody) : null;
  } catch (err) {
    data = textBody;
  }
  return { status: res.status, data };
}

async function expectStatus(status, method, path, opts) {
  const res = await call(method, path, opts);
  assert.equal(res.status, status, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.data)}`);
  return res.data;
}

// The owner's access token: sets the site up on a fresh server, else logs in.
async function ownerToken() {
  const status = await expectStatus(200, 'GET', '/setup');
  if (status.needs_setup) {
    const s = await expectStatus(201, 'POST', '/setup', { body: OWNER });
    return s.access_token;
  }
  const s = await expectStatus(200, 'POST', '/auth/login', { body: { email: OWNER.email, password: OWNER.password } });
  return s.access_token;
}

// Owner, API key with the Zapier scopes, one product.
async function setup() {
  const token = await ownerToken();
  const created = await expectStatus(201, 'POST', '/api-keys', { token, body: { name: `Zapier ${RUN}`, scopes: SCOPES } });
  // The secret is `secret` beside the key's metadata under `key`.
  const apiKey = typeof created.secret === 'string' ? created.secret : created.key;
  assert.match(apiKey, /^tg_key_/, `the created key looks like ${JSON.stringify(created)}`);
  const product = await expectStatus(201, 'POST', '/products', { token, body: { name: `Zapier Course ${RUN}`, description: 'Made by the Zapier tests.' } });
  return { token, apiKey, product, authData: { base_url: BASE, api_key: apiKey } };
}

// Polls `fn` until it returns a truthy value; fails after `timeout` ms.
async function waitFor(fn, { timeout = 15000, interval = 100, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// A local HTTP receiver standing in for Zapier's hook URLs: records every request.
async function startReceiver() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = JSON.parse(raw);
      } catch (err) {
        body = undefined;
      }
      requests.push({ method: req.method, path: req.url, headers: req.headers, raw, body, at: Date.now() });
      // Paths under /gone answer 410, as Zapier does for a hook URL it no longer uses.
      const gone = req.url.startsWith('/gone');
      res.writeHead(gone ? 410 : 200, { 'content-type': 'application/json' });
      res.end(gone ? '{"status":"gone"}' : '{"status":"success"}');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    requests,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    to: (path) => requests.filter((r) => r.path === path),
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

// The message, code and status of a z.errors.Error thrown through the app tester.
async function appError(promise) {
  try {
    await promise;
  } catch (err) {
    try {
      return { ...JSON.parse(err.message), name: err.name };
    } catch (e) {
      return { message: err.message, name: err.name };
    }
  }
  throw new Error('expected the call to fail, and it succeeded');
}

module.exports = { BASE, SKIP_LIVE, SCOPES, OWNER, RUN, email, call, expectStatus, setup, waitFor, startReceiver, appError };
