'use strict';

// The app against a live `tollgate serve` (scripts/test-zapier.sh starts one
// and sets TOLLGATE_URL): every trigger, action and search runs through
// createAppTester and makes real HTTP calls.
process.env.NODE_ENV = process.env.NODE_ENV || 'test';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const zapier = require('zapier-platform-core');

const App = require('../index');
const { EVENTS } = require('../lib/events');
const h = require('./helpers');

const appTester = zapier.createAppTester(App);

describe('against a live Tollgate', { skip: h.SKIP_LIVE }, () => {
  let ctx; // { token, apiKey, product, authData }
  const bundle = (extra = {}) => ({ authData: ctx.authData, inputData: {}, ...extra });
  const grantsOf = async (memberId, productId) => (await h.expectStatus(200, 'GET', `/users/${memberId}/access?product_id=${productId}&limit=100`, { token: ctx.token })).data;

  before(async () => {
    ctx = await h.setup();
  });

  describe('authentication', () => {
    it('accepts the API key and labels the connection with the app name', async () => {
      const app = await appTester(App.authentication.test, bundle());
      assert.equal(app.name, h.OWNER.app_name);
      assert.match(app.id, /^app_[0-9a-f]{32}$/);
      const label = await appTester(App.authentication.connectionLabel, bundle({ inputData: app }));
      assert.equal(label, h.OWNER.app_name);
    });

    it('works with a base URL that ends in /api/v1/', async () => {
      const app = await appTester(App.authentication.test, { authData: { ...ctx.authData, base_url: `${h.BASE}/api/v1/` }, inputData: {} });
      assert.equal(app.name, h.OWNER.app_name);
    });

    it('fails clearly with a wrong key', async () => {
      const err = await h.appError(appTester(App.authentication.test, { authData: { base_url: h.BASE, api_key: 'tg_key_this_is_not_a_real_key_000000' }, inputData: {} }));
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_api_key');
      assert.match(err.message, /did not accept the API key/);
      assert.match(err.message, /invalid or revoked/);
    });

    it('names the missing scope when the key may not do something', async () => {
      const narrow = await h.expectStatus(201, 'POST', '/api-keys', { token: ctx.token, body: { name: `narrow ${h.RUN}`, scopes: ['app:read'] } });
      const authData = { base_url: h.BASE, api_key: narrow.secret };
      const app = await appTester(App.authentication.test, { authData, inputData: {} });
      assert.equal(app.name, h.OWNER.app_name);
      const err = await h.appError(appTester(App.searches.find_member.operation.perform, { authData, inputData: { email: h.email('x') } }));
      assert.equal(err.status, 403);
      assert.match(err.message, /may not do this/);
      assert.match(err.message, /users:write/);
    });

    it('fails clearly when the base URL is not the site root', async () => {
      const err = await h.appError(appTester(App.authentication.test, { authData: { base_url: `${h.BASE}/members`, api_key: ctx.apiKey }, inputData: {} }));
      assert.equal(err.status, 404);
      assert.match(err.message, /Check that the Tollgate URL of this connection is the address of your site/);
    });

    it('fails clearly when nothing listens at the base URL', async () => {
      const receiver = await h.startReceiver();
      const dead = receiver.url('');
      await receiver.close();
      const err = await h.appError(appTester(App.authentication.test, { authData: { base_url: dead, api_key: ctx.apiKey }, inputData: {} }));
      assert.match(err.message, /Could not reach Tollgate at http:\/\/127\.0\.0\.1:\d+/);
    });
  });

  describe('members', () => {
    const who = h.email('Grace');
    let id;

    it('Create or Update Member creates a member', async () => {
      const m = await appTester(App.creates.create_or_update_member.operation.perform, bundle({ inputData: { email: who, name: 'Grace Hopper' } }));
      assert.equal(m.created, true);
      assert.equal(m.email, who.toLowerCase());
      assert.equal(m.name, 'Grace Hopper');
      assert.match(m.id, /^usr_[0-9a-f]{32}$/);
      id = m.id;
    });

    it('Create or Update Member updates the same member (email matched ignoring case)', async () => {
      const m = await appTester(App.creates.create_or_update_member.operation.perform, bundle({ inputData: { email: who.toUpperCase(), name: 'Grace B. Hopper' } }));
      assert.equal(m.created, false);
      assert.equal(m.id, id);
      assert.equal(m.name, 'Grace B. Hopper');
      const stored = await h.expectStatus(200, 'GET', `/users/${id}`, { token: ctx.token });
      assert.equal(stored.name, 'Grace B. Hopper');
    });

    it('Create or Update Member without a name keeps the name', async () => {
      const m = await appTester(App.creates.create_or_update_member.operation.perform, bundle({ inputData: { email: who } }));
      assert.equal(m.id, id);
      assert.equal(m.name, 'Grace B. Hopper');
    });

    it('Find Member finds it by exact email and not by a prefix', async () => {
      const found = await appTester(App.searches.find_member.operation.perform, bundle({ inputData: { email: who } }));
      assert.equal(found.length, 1);
      assert.equal(found[0].id, id);
      const prefix = await appTester(App.searches.find_member.operation.perform, bundle({ inputData: { email: who.slice(0, -4) } }));
      assert.deepEqual(prefix, []);
    });

    it('Find Member returns [] for an unknown email', async () => {
      const found = await appTester(App.searches.find_member.operation.perform, bundle({ inputData: { email: h.email('nobody') } }));
      assert.deepEqual(found, []);
    });

    it('a bad email is a clear error', async () => {
      const err = await h.appError(appTester(App.searches.find_member.operation.perform, bundle({ inputData: { email: 'not an email' } })));
      assert.match(err.message, /is not an email address/);
    });
  });

  describe('access', () => {
    const who = h.email('ada');

    it('the product dropdown lists the product', async () => {
      const products = await appTester(App.triggers.product_list.operation.perform, bundle());
      const p = products.find((x) => x.id === ctx.product.id);
      assert.ok(p, `product ${ctx.product.id} not in ${JSON.stringify(products.map((x) => x.id))}`);
      assert.equal(p.name, ctx.product.name);
    });

    it('Grant Access to an unknown email fails unless Create Member If Missing is on', async () => {
      const err = await h.appError(appTester(App.creates.grant_access.operation.perform, bundle({ inputData: { email: who, product_id: ctx.product.id } })));
      assert.equal(err.code, 'member_not_found');
      assert.match(err.message, /has no member with the email/);
      assert.deepEqual(await appTester(App.searches.find_member.operation.perform, bundle({ inputData: { email: who } })), []);
    });

    let grant;
    it('Grant Access creates the member when asked and grants the product', async () => {
      grant = await appTester(
        App.creates.grant_access.operation.perform,
        bundle({ inputData: { email: who, product_id: ctx.product.id, create_member: 'yes', name: 'Ada Lovelace', reason: 'zapier test', notify: 'false' } }),
      );
      assert.equal(grant.member_created, true);
      assert.equal(grant.already_granted, false);
      assert.equal(grant.active, true);
      assert.equal(grant.product_id, ctx.product.id);
      assert.equal(grant.source, 'manual');
      assert.equal(grant.reason, 'zapier test');
      assert.equal(grant.member.email, who);
      assert.equal(grant.member.name, 'Ada Lovelace');
    });

    it('Grant Access twice returns the existing grant instead of failing', async () => {
      const again = await appTester(App.creates.grant_access.operation.perform, bundle({ inputData: { email: who, product_id: ctx.product.id, create_member: 'true' } }));
      assert.equal(again.already_granted, true);
      assert.equal(again.member_created, false);
      assert.equal(again.id, grant.id);
      assert.equal(again.active, true);
      const open = (await grantsOf(grant.user_id, ctx.product.id)).filter((g) => g.active);
      assert.equal(open.length, 1);
    });

    it('Grant Access of an unknown product says so', async () => {
      const err = await h.appError(appTester(App.creates.grant_access.operation.perform, bundle({ inputData: { email: who, product_id: 'prod_00000000000000000000000000000000' } })));
      assert.equal(err.status, 404);
      assert.match(err.message, /product not found/);
    });

    it('Remove Access revokes the grant; the member then has no active grant', async () => {
      const out = await appTester(App.creates.remove_access.operation.perform, bundle({ inputData: { email: who, product_id: ctx.product.id, reason: 'refund' } }));
      assert.equal(out.revoked_count, 1);
      assert.equal(out.revoked_grants.length, 1);
      assert.equal(out.revoked_grants[0].id, grant.id);
      assert.equal(out.revoked_grants[0].active, false);
      assert.equal(out.revoked_grants[0].revoke_reason, 'refund');
      assert.equal(out.member.email, who);
      const grants = await grantsOf(grant.user_id, ctx.product.id);
      assert.equal(grants.filter((g) => g.active).length, 0);
      assert.ok(grants.length >= 1);
    });

    it('Remove Access for a member without access is a clear error', async () => {
      const err = await h.appError(appTester(App.creates.remove_access.operation.perform, bundle({ inputData: { email: who, product_id: ctx.product.id } })));
      assert.equal(err.code, 'no_active_access');
      assert.match(err.message, /has no active access/);
    });

    it('Remove Access for an unknown email is a clear error', async () => {
      const err = await h.appError(appTester(App.creates.remove_access.operation.perform, bundle({ inputData: { email: h.email('ghost'), product_id: ctx.product.id } })));
      assert.equal(err.code, 'member_not_found');
    });
  });

  describe('REST hooks', () => {
    it('the hardcoded event types match GET /webhooks/event-types', async () => {
      const live = await h.expectStatus(200, 'GET', '/webhooks/event-types', { token: ctx.apiKey });
      assert.deepEqual(
        live.data.map((e) => [e.type, e.label]).sort(),
        EVENTS.map((e) => [e.type, e.label]).sort(),
      );
    });

    describe('product.access_granted end to end', () => {
      const trigger = App.triggers.product_access_granted.operation;
      const who = h.email('linus');
      let receiver;
      let hookA;
      let first;

      before(async () => {
        receiver = await h.startReceiver();
      });
      after(async () => {
        await receiver.close();
      });

      it('performSubscribe registers the target URL and answers a hook id', async () => {
        hookA = await appTester(trigger.performSubscribe, bundle({ targetUrl: receiver.url('/zap-a') }));
        assert.match(hookA.id, /^whk_[0-9a-f]{32}$/);
        assert.equal(hookA.target_url, receiver.url('/zap-a'));
        assert.equal(hookA.event, 'product.access_granted');
      });

      it('Grant Access reaches the receiver as exactly one POST of the event', async () => {
        await appTester(App.creates.grant_access.operation.perform, bundle({ inputData: { email: who, name: 'Linus', product_id: ctx.product.id, create_member: true, notify: false } }));
        const got = await h.waitFor(() => receiver.to('/zap-a').length > 0 && receiver.to('/zap-a'), { what: 'the event at the receiver' });
        assert.equal(got.length, 1);
        first = got[0];
        assert.equal(first.method, 'POST');
        assert.match(first.headers['content-type'], /^application\/json/);
        assert.equal(first.body.type, 'product.access_granted');
        assert.match(first.body.id, /^msg_[0-9a-f]{32}$/);
        assert.equal(first.body.data.member.email, who);
        assert.equal(first.body.data.product.id, ctx.product.id);
        assert.ok(!Number.isNaN(Date.parse(first.body.timestamp)), `timestamp ${first.body.timestamp}`);
      });

      it('perform turns the delivered body into one result with the event id', async () => {
        const out = await appTester(trigger.perform, bundle({ cleanedRequest: first.body }));
        assert.equal(out.length, 1);
        assert.equal(out[0].id, first.body.id);
        assert.equal(out[0].type, 'product.access_granted');
        assert.equal(out[0].data.member.email, who);
        assert.equal(out[0].data.product.name, ctx.product.name);
        assert.equal(out[0].data.activity.kind, 'product.access_granted');
      });

      it('performList returns samples with the fields of the event', async () => {
        const list = await appTester(trigger.performList, bundle());
        assert.ok(Array.isArray(list) && list.length >= 1 && list.length <= 3, `samples: ${JSON.stringify(list)}`);
        for (const s of list) {
          assert.match(s.id, /^msg_/);
          assert.equal(s.type, 'product.access_granted');
          assert.ok(s.timestamp);
          assert.ok(s.data && s.data.member && s.data.member.email, JSON.stringify(s));
          assert.ok(s.data.product && s.data.product.id, JSON.stringify(s));
        }
        assert.ok(list.some((s) => s.id === first.body.id), 'the real event is among the samples');
      });

      it('performList of an event type nothing happened for answers a sample too', async () => {
        const list = await appTester(App.triggers.subscription_cancelled.operation.performList, bundle());
        assert.ok(list.length >= 1);
        assert.equal(list[0].type, 'subscription.cancelled');
        assert.ok(list[0].id);
      });

      it('after performUnsubscribe (204) the hook gets nothing more; a hook whose URL answers 410 is dropped', async () => {
        // A second hook on the same event shows when the next event has been delivered;
        // a third one answers 410 like a Zapier hook URL that is no longer used.
        const hookB = await appTester(trigger.performSubscribe, bundle({ targetUrl: receiver.url('/zap-b') }));
        const hookC = await appTester(trigger.performSubscribe, bundle({ targetUrl: receiver.url('/gone-c') }));
        const gone = await appTester(trigger.performUnsubscribe, bundle({ subscribeData: hookA }));
        assert.deepEqual(gone, { id: hookA.id, status: 204, removed: true });

        await appTester(App.creates.remove_access.operation.perform, bundle({ inputData: { email: who, product_id: ctx.product.id } }));
        await appTester(App.creates.grant_access.operation.perform, bundle({ inputData: { email: who, product_id: ctx.product.id, notify: false } }));
        const isSecond = (r) => r.body && r.body.type === 'product.access_granted' && r.body.id !== first.body.id && r.body.data.member.email === who;
        await h.waitFor(() => receiver.to('/zap-b').some(isSecond), { what: 'the second grant at the other hook' });
        assert.equal(receiver.to('/zap-a').length, 1, 'the unsubscribed hook received another event');

        // Removing it again is not an error (Tollgate drops hooks whose target answered 410).
        const again = await appTester(trigger.performUnsubscribe, bundle({ subscribeData: hookA }));
        assert.equal(again.removed, false);
        assert.equal(again.status, 404);

        // The 410 hook got the event once and is gone.
        await h.waitFor(() => receiver.to('/gone-c').some(isSecond), { what: 'the second grant at the 410 hook' });
        await h.waitFor(async () => (await h.call('GET', `/webhooks/endpoints/${hookC.id}`, { token: ctx.token })).status === 404, {
          what: `Tollgate to drop the hook ${hookC.id} after its 410`,
        });
        assert.equal(receiver.to('/gone-c').length, 1);
        const c = await appTester(trigger.performUnsubscribe, bundle({ subscribeData: hookC }));
        assert.deepEqual(c, { id: hookC.id, status: 404, removed: false });

        const b = await appTester(trigger.performUnsubscribe, bundle({ subscribeData: hookB }));
        assert.equal(b.removed, true);
      });
    });

    describe('member.updated end to end', () => {
      const trigger = App.triggers.member_updated.operation;
      const who = h.email('margaret');
      let receiver;
      let hook;

      before(async () => {
        receiver = await h.startReceiver();
        hook = await appTester(trigger.performSubscribe, bundle({ targetUrl: receiver.url('/member-updated') }));
        assert.equal(hook.event, 'member.updated');
      });
      after(async () => {
        await appTester(trigger.performUnsubscribe, bundle({ subscribeData: hook }));
        await receiver.close();
      });

      it('renaming a member with Create or Update Member fires the trigger', async () => {
        const made = await appTester(App.creates.create_or_update_member.operation.perform, bundle({ inputData: { email: who, name: 'Margaret' } }));
        await appTester(App.creates.create_or_update_member.operation.perform, bundle({ inputData: { email: who, name: 'Margaret Hamilton' } }));
        const req = await h.waitFor(
          () => receiver.to('/member-updated').find((r) => r.body && r.body.data.member && r.body.data.member.email === who),
          { what: 'member.updated at the receiver' },
        );
        const [out] = await appTester(trigger.perform, bundle({ cleanedRequest: req.body }));
        assert.equal(out.id, req.body.id);
        assert.equal(out.type, 'member.updated');
        assert.equal(out.data.member.id, made.id);
        assert.equal(out.data.member.name, 'Margaret Hamilton');
        assert.equal(out.data.activity, null);
        assert.equal(out.data.product, null);
      });
    });
  });
});
