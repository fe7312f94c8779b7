'use strict';

// Talking to Tollgate: the base URL from the connection, the bearer header,
// problem+json errors turned into messages a Zap owner can act on.

const SCOPES = ['app:read', 'products:read', 'users:write', 'webhooks:write'];

// The connection's base URL without a trailing slash or /api/v1 (people paste either).
const baseUrl = (z, bundle) => {
  let raw = String((bundle.authData && bundle.authData.base_url) || '').trim();
  if (!raw) {
    throw new z.errors.Error('Enter the base URL of your Tollgate site, e.g. https://members.example.com.', 'invalid_base_url', 400);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = `https://${raw}`;
  let url;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new z.errors.Error(`"${raw}" is not a URL; enter the base URL of your Tollgate site, e.g. https://members.example.com.`, 'invalid_base_url', 400);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new z.errors.Error(`The base URL must start with https:// (got ${url.protocol}//).`, 'invalid_base_url', 400);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api(\/v1)?$/, '');
  return `${url.origin}${path}`;
};

const apiUrl = (z, bundle, path) => `${baseUrl(z, bundle)}/api/v1${path}`;

const parseProblem = (response) => {
  try {
    const body = response.data !== undefined && response.data !== null && typeof response.data === 'object' ? response.data : JSON.parse(response.content);
    return body && typeof body === 'object' ? body : null;
  } catch (err) {
    return null;
  }
};

// The z.errors.Error for a Tollgate error answer.
const problemError = (z, response) => {
  const status = response.status;
  const problem = parseProblem(response);
  const method = (response.request && response.request.method) || 'GET';
  const url = (response.request && response.request.url) || '';
  if (!problem || (!problem.code && !problem.detail)) {
    const hint = status === 404 || status === 405 ? ' Check that the base URL points at your Tollgate site.' : '';
    return new z.errors.Error(`Tollgate answered HTTP ${status} to ${method} ${url}.${hint}`, `http_${status}`, status);
  }
  const code = problem.code || `http_${status}`;
  let detail = problem.detail || problem.title || `HTTP ${status}`;
  if (Array.isArray(problem.errors) && problem.errors.length) {
    detail = problem.errors.map((e) => `${e.field}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ');
  }
  const ref = problem.request_id ? ` [request ${problem.request_id}]` : '';
  let message;
  if (status === 401) {
    message = `Tollgate did not accept the API key: ${detail} (${code}). Check the API key and base URL of this connection; keys are created in Tollgate under Settings → API keys.${ref}`;
  } else if (status === 403) {
    message = `The API key may not do this: ${detail} (${code}). Give the key the scopes ${SCOPES.join(', ')}.${ref}`;
  } else if (code === 'route_not_found') {
    message = `${detail} (${code}, HTTP ${status}). Check that the Tollgate URL of this connection is the address of your site (without /api/v1) and that the site runs a Tollgate version with this feature.${ref}`;
  } else {
    message = `${detail} (${code}, HTTP ${status})${ref}`;
  }
  return new z.errors.Error(message, code, status);
};

// beforeRequest: the API key as a bearer token, for requests to the connection's site only.
const addBearer = (request, z, bundle) => {
  const key = bundle.authData && bundle.authData.api_key;
  request.headers = request.headers || {};
  request.headers.Accept = request.headers.Accept || 'application/json';
  if (key && !request.headers.Authorization) {
    let ours = true;
    try {
      ours = new URL(request.url).origin === new URL(baseUrl(z, bundle)).origin;
    } catch (err) {
      ours = true;
    }
    if (ours) request.headers.Authorization = `Bearer ${String(key).trim()}`;
  }
  return request;
};

// afterResponse: problem+json errors become readable z.errors.Error (unless the caller handles them).
const handleErrors = (response, z) => {
  if (response.status >= 400 && !response.skipThrowForStatus) {
    throw problemError(z, response);
  }
  return response;
};

// z.request that says clearly when Tollgate cannot be reached at all.
const request = async (z, bundle, options) => {
  try {
    return await z.request(options);
  } catch (err) {
    if (err && (err.name === 'FetchError' || err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.type === 'system')) {
      throw new z.errors.Error(`Could not reach Tollgate at ${baseUrl(z, bundle)}: ${err.message}`, 'unreachable', 502);
    }
    throw err;
  }
};

const api = (z, bundle, method, path, extra = {}) => request(z, bundle, { method, url: apiUrl(z, bundle, path), ...extra });

// Zapier hands booleans over as true/false or as strings such as "yes"/"false".
const toBool = (v, dflt) => {
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'boolean') return v;
  return ['true', 'yes', '1', 'on', 't', 'y'].includes(String(v).trim().toLowerCase());
};

const text = (v) => {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
};

module.exports = { SCOPES, baseUrl, apiUrl, problemError, addBearer, handleErrors, request, api, toBool, text };
