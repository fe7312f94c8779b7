'use strict';

// The app definition itself: no server needed.
process.env.NODE_ENV = process.env.NODE_ENV || 'test';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const zapier = require('zapier-platform-core');

const App = require('../index');
const { EVENTS } = require('../lib/events');
const { baseUrl } = require('../lib/api');

const appTester = zapier.createAppTester(App);

describe('app definition', () => {
  it('passes the Zapier schema', async () => {
    const handler = zapier.createAppHandler(App);
    const out = await new Promise((ok, fail) => handler({ command: 'validate', calledFromCli: true }, {}, (err, res) => (err ? fail(err) : ok(res))));
    assert.deepEqual(out.results, [], JSON.stringify(out.results, null, 2));
  });

  it('takes its version from package.json and the platform version from zapier-platform-core', () => {
    assert.equal(App.version, require('../package.json').version);
    assert.equal(App.platformVersion, zapier.version);
    assert.match(App.platformVersion, /^19\./);
  });

  it('has one REST hook trigger per event type, plus the hidden product list', () => {
    const types = [
      'user.login', 'user.created', 'user.activate', 'user.inactive', 'user.video_watched', 'user.audio_listened',
      'user.file_downloaded', 'user.page_completed', 'user.product_completed', 'product.access_granted',
      'product.access_removed', 'product.purchased', 'subscription.started', 'subscription.cancelled', 'member.stage_changed',
      'member.updated',
    ];
    assert.deepEqual(EVENTS.map((e) => e.type), types);
    const hooks = Object.values(App.triggers).filter((t) => t.operation.type === 'hook');
    assert.equal(hooks.length, types.length);
    for (const ev of EVENTS) {
      const t = App.triggers[ev.key];
      assert.ok(t, `no trigger ${ev.key}`);
      assert.equal(t.display.label, ev.label);
      for (const fn of ['performSubscribe', 'performUnsubscribe', 'perform', 'performList']) {
        assert.equal(typeof t.operation[fn], 'function', `${ev.key}.${fn}`);
      }
      assert.equal(t.operation.sample.type, ev.type);
      assert.match(t.operation.sample.id, /^msg_[0-9a-f]{32}$/);
      const keys = t.operation.outputFields.map((f) => f.key);
      assert.ok(keys.includes('data__member__email'));
      assert.equal(keys.includes('data__product__name'), ev.product, `${ev.key} product fields`);
    }
    assert.equal(App.triggers.product_list.display.hidden, true);
    assert.equal(App.triggers.product_list.operation.type, 'polling');
  });

  it('names the labels of the brief', () => {
    assert.equal(App.creates.create_or_update_member.display.label, 'Create or Update Member');
    assert.equal(App.creates.grant_access.display.label, 'Grant Access');
    assert.equal(App.creates.remove_access.display.label, 'Remove Access');
    assert.equal(App.searches.find_member.display.label, 'Find Member');
    const product = App.creates.grant_access.operation.inputFields.find((f) => f.key === 'product_id');
    assert.equal(product.dynamic, 'product_list.id.name');
  });
});

describe('base URL', () => {
  const z = { errors: zapier.errors };
  const norm = (u) => baseUrl(z, { authData: { base_url: u } });
  it('drops a trailing slash and /api/v1, and assumes https', () => {
    assert.equal(norm('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.equal(norm(' https://members.example.com/api/v1/ '), 'https://members.example.com');
    assert.equal(norm('members.example.com'), 'https://members.example.com');
    assert.equal(norm('https://example.com/tollgate/'), 'https://example.com/tollgate');
  });
  it('rejects what is not a web address', () => {
    assert.throws(() => norm(''), /base URL/);
    assert.throws(() => norm('ftp://example.com'), /https:\/\//);
  });
});

describe('hook perform', () => {
  it('returns the delivered event with its id', async () => {
    const event = App.triggers.product_access_granted.operation.sample;
    const out = await appTester(App.triggers.product_access_granted.operation.perform, { cleanedRequest: event, authData: {} });
    assert.equal(out.length, 1);
    assert.equal(out[0].id, event.id);
    assert.deepEqual(out[0].data, event.data);
  });
});
