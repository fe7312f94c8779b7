"""The Stripe emulator (localstripe_launcher.py), driven with stripe-python;
every delivery's signature is verified with stripe.Webhook.construct_event."""

import time

import stripe

from .harness import API_KEY, check, get_status, post, start, stop
from .receivers import Receiver


def stripe_checks():
    ls, port = start('localstripe_launcher.py')
    base = 'http://127.0.0.1:%d' % port
    stripe.api_key = API_KEY
    stripe.api_base = base
    stripe.max_network_retries = 0
    hook = Receiver()
    w = {}  # shared state between steps

    @check('account retrieve; an "invalid" key is refused')
    def _():
        acct = stripe.Account.retrieve()
        assert acct.id == 'acct_localstripe' and acct.object == 'account'
        assert acct.business_profile.name
        assert acct.settings.dashboard.display_name and acct.email
        try:
            stripe.Account.retrieve(api_key='sk_test_invalid_key')
            raise AssertionError('invalid key accepted')
        except stripe.AuthenticationError:
            pass

    @check('webhook endpoint create/retrieve/list/update')
    def _():
        we = stripe.WebhookEndpoint.create(
            url=hook.url, enabled_events=['*'], api_version='2026-09-30',
            description='selftest', metadata={'app': 'tollgate'})
        assert we.object == 'webhook_endpoint' and we.status == 'enabled'
        assert we.secret.startswith('whsec_')
        assert we.api_version == '2026-09-30'
        w['secret'], w['we'] = we.secret, we.id
        again = stripe.WebhookEndpoint.retrieve(we.id)
        assert 'secret' not in again and again.url == hook.url
        assert we.id in [e.id for e in stripe.WebhookEndpoint.list().data]
        upd = stripe.WebhookEndpoint.modify(we.id, description='selftest 2')
        assert upd.description == 'selftest 2' and 'secret' not in upd

    @check('product + recurring/one-time prices; list/retrieve/update')
    def _():
        prod = stripe.Product.create(name='Gold membership')
        price = stripe.Price.create(
            product=prod.id, currency='usd', unit_amount=1500,
            recurring={'interval': 'month', 'interval_count': 1},
            nickname='Gold monthly', metadata={'tier': 'gold'})
        assert price.object == 'price' and price.type == 'recurring'
        assert price.recurring.interval == 'month'
        assert price.unit_amount == 1500 and price.product == prod.id
        once = stripe.Price.create(product=prod.id, currency='usd',
                                   unit_amount=9900, nickname='Lifetime')
        assert once.type == 'one_time' and once.recurring is None
        listed = stripe.Price.list(product=prod.id, active=True, limit=1)
        assert len(listed.data) == 1 and listed.has_more
        rest = stripe.Price.list(product=prod.id,
                                 starting_after=listed.data[0].id)
        assert {listed.data[0].id, rest.data[0].id} == {price.id, once.id}
        assert stripe.Price.retrieve(price.id).nickname == 'Gold monthly'
        upd = stripe.Price.modify(price.id, nickname='Gold / month',
                                  metadata={'x': '1'})
        assert upd.nickname == 'Gold / month'
        assert upd.metadata.to_dict() == {'tier': 'gold', 'x': '1'}
        assert stripe.Plan.retrieve(price.id).amount == 1500
        w['prod'], w['price'], w['once'] = prod.id, price.id, once.id
        ev = hook.wait_for(lambda e: e['type'] == 'price.updated',
                           'price.updated')
        assert ev['data']['previous_attributes']['nickname'] == 'Gold monthly'
        hook.wait_for(lambda e: e['type'] == 'price.created' and
                      e['data']['object']['id'] == once.id, 'price.created')

    @check('customer with card + subscription on a price')
    def _():
        cus = stripe.Customer.create(email='ada@example.test', name='Ada')
        pm = stripe.PaymentMethod.attach('pm_card_visa', customer=cus.id)
        stripe.Customer.modify(
            cus.id, invoice_settings={'default_payment_method': pm.id})
        sub = stripe.Subscription.create(customer=cus.id,
                                         items=[{'price': w['price']}])
        assert sub.status == 'active', sub.status
        item = sub['items'].data[0]
        assert item.price.id == w['price'] and item.price.object == 'price'
        assert item.plan.id == w['price'] and item.subscription == sub.id
        assert item.current_period_end > item.current_period_start
        w['cus'], w['sub'] = cus.id, sub.id
        try:
            stripe.Subscription.create(customer=cus.id,
                                       items=[{'price': w['once']}])
            raise AssertionError('one-time price accepted on subscription')
        except stripe.InvalidRequestError:
            pass

    @check('delivery: customer.subscription.created')
    def _():
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.created' and
            e['data']['object']['id'] == w['sub'], 'subscription.created')
        assert ev['data']['object']['status'] == 'active'

    @check('delivery: customer.subscription.updated (cancel at period end)')
    def _():
        sub = stripe.Subscription.modify(w['sub'], cancel_at_period_end=True,
                                         proration_behavior='none')
        assert sub.cancel_at_period_end is True
        assert sub.cancel_at == sub.current_period_end and sub.canceled_at
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.updated' and
            e['data']['object']['id'] == w['sub'], 'subscription.updated')
        prev = ev['data']['previous_attributes']
        assert prev['cancel_at_period_end'] is False, prev
        assert ev['data']['object']['cancel_at_period_end'] is True

    @check('delivery: customer.subscription.updated (testkit status)')
    def _():
        post(base, '/_testkit/subscriptions/%s/status' % w['sub'],
             status='past_due')
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.updated' and
            e['data'].get('previous_attributes', {}).get('status') ==
            'active', 'status update')
        assert ev['data']['object']['status'] == 'past_due'

    @check('delivery: customer.subscription.deleted')
    def _():
        sub = stripe.Subscription.cancel(w['sub'])
        assert sub.status == 'canceled' and sub.ended_at
        ev = hook.wait_for(
            lambda e: e['type'] == 'customer.subscription.deleted' and
            e['data']['object']['id'] == w['sub'], 'subscription.deleted')
        assert ev['data']['object']['status'] == 'canceled'

    @check('checkout (subscription mode) + testkit complete')
    def _():
        s = stripe.checkout.Session.create(
            mode='subscription', customer_email='bob@example.test',
            line_items=[{'price': w['price'], 'quantity': 1}],
            client_reference_id='user-42', metadata={'order': '7'},
            success_url='http://127.0.0.1/ok?s={CHECKOUT_SESSION_ID}',
            cancel_url='http://127.0.0.1/cancel',
            allow_promotion_codes=True,
            subscription_data={'metadata': {'member': '42'}})
        assert s.object == 'checkout.session' and s.status == 'open'
        assert s.url == '%s/checkout/%s' % (base, s.id)
        assert s.amount_total == 1500 and s.payment_status == 'unpaid'
        assert stripe.checkout.Session.retrieve(s.id).client_reference_id \
            == 'user-42'
        assert s.id in [x.id for x in stripe.checkout.Session.list().data]
        li = stripe.checkout.Session.list_line_items(s.id)
        assert li.data[0].price.id == w['price'] and li.data[0].quantity == 1
        done = post(base, '/_testkit/checkout/sessions/%s/complete' % s.id)
        assert done['status'] == 'complete'
        assert done['payment_status'] == 'paid'
        assert done['customer'].startswith('cus_')
        assert done['subscription'].startswith('sub_')
        assert done['customer_details']['email'] == 'bob@example.test'
        ev = hook.wait_for(
            lambda e: e['type'] == 'checkout.session.completed' and
            e['data']['object']['id'] == s.id, 'checkout.session.completed')
        obj = ev['data']['object']
        assert obj['client_reference_id'] == 'user-42'
        assert obj['metadata'] == {'order': '7'}
        sub = stripe.Subscription.retrieve(obj['subscription'])
        assert sub.status == 'active' and sub.customer == obj['customer']
        assert sub.metadata.to_dict() == {'member': '42'}
        assert sub.default_payment_method.startswith('pm_')
        full = stripe.checkout.Session.retrieve(s.id, expand=['line_items'])
        assert full.line_items.data[0].price.id == w['price']

    @check('checkout: trial, payment mode, payment link')
    def _():
        s = stripe.checkout.Session.create(
            mode='subscription', line_items=[{'price': w['price']}],
            success_url='http://127.0.0.1/ok',
            subscription_data={'trial_period_days': 7})
        done = post(base, '/_testkit/checkout/sessions/%s/complete' % s.id,
                    email='tia@example.test')
        assert done['payment_status'] == 'no_payment_required'
        sub = stripe.Subscription.retrieve(done['subscription'])
        assert sub.status == 'trialing' and sub.trial_end
        assert sub.current_period_end == sub.trial_end

        s = stripe.checkout.Session.create(
            mode='payment', line_items=[{'price': w['once'], 'quantity': 2}],
            customer=w['cus'], success_url='http://127.0.0.1/ok')
        done = post(base, '/_testkit/checkout/sessions/%s/complete' % s.id)
        assert done['customer'] == w['cus'] and done['amount_total'] == 19800
        pi = stripe.PaymentIntent.retrieve(done['payment_intent'])
        assert pi.status == 'succeeded' and pi.amount == 19800

        link = stripe.PaymentLink.create(
            line_items=[{'price': w['once'], 'quantity': 1}],
            metadata={'product': 'lifetime'},
            after_completion={'type': 'redirect',
                              'redirect': {'url': 'http://127.0.0.1/thanks'}})
        assert link.object == 'payment_link' and link.active
        assert link.url.startswith(base + '/pay/')
        assert stripe.PaymentLink.retrieve(link.id).metadata.product == \
            'lifetime'
        assert link.id in [x.id for x in stripe.PaymentLink.list().data]
        cs = post(base, '/_testkit/payment_links/%s/checkout' % link.id)
        assert cs['payment_link'] == link.id and cs['mode'] == 'payment'
        done = post(base, '/_testkit/checkout/sessions/%s/complete'
                    % cs['id'], email='guest@example.test')
        assert done['customer'] is None  # customer_creation=if_required
        assert done['customer_details']['email'] == 'guest@example.test'
        off = stripe.PaymentLink.modify(link.id, active=False)
        assert off.active is False
        status, _ = get_status(link.url)
        assert status == 400, status
        status, page = get_status(stripe.checkout.Session.create(
            mode='payment', line_items=[{'price': w['once']}],
            success_url='http://127.0.0.1/ok').url)
        assert status == 200 and 'id="pay"' in page

    @check('billing portal configuration + session')
    def _():
        c = stripe.billing_portal.Configuration.create(
            business_profile={
                'privacy_policy_url': 'https://example.test/privacy',
                'terms_of_service_url': 'https://example.test/terms'},
            features={'subscription_cancel': {'enabled': True,
                                              'mode': 'at_period_end'}},
            default_return_url='https://example.test/account',
            metadata={'app': 'tollgate'})
        assert c.object == 'billing_portal.configuration' and c.active
        assert c.features.subscription_cancel.enabled is True
        assert c.features.subscription_cancel.mode == 'at_period_end'
        assert c.business_profile.privacy_policy_url.endswith('/privacy')
        c = stripe.billing_portal.Configuration.modify(
            c.id, features={'subscription_cancel': {'mode': 'immediately'}})
        assert c.features.subscription_cancel.mode == 'immediately'
        assert c.features.subscription_cancel.enabled is True
        assert stripe.billing_portal.Configuration.retrieve(c.id).id == c.id
        assert c.id in [
            x.id for x in stripe.billing_portal.Configuration.list().data]
        ps = stripe.billing_portal.Session.create(customer=w['cus'],
                                                  configuration=c.id)
        assert ps.object == 'billing_portal.session'
        assert ps.url == '%s/billing_portal/%s' % (base, ps.id)
        assert ps.return_url == 'https://example.test/account'
        status, page = get_status(ps.url)
        assert status == 200 and 'Return' in page

    @check('every delivery verifies with stripe.Webhook.construct_event')
    def _():
        with hook.cond:
            deliveries = list(hook.deliveries)
        assert len(deliveries) >= 10, len(deliveries)
        for headers, body in deliveries:
            ev = stripe.Webhook.construct_event(
                body, headers['Stripe-Signature'], w['secret'])
            assert ev.object == 'event'
        try:
            stripe.Webhook.construct_event(
                deliveries[0][1], deliveries[0][0]['Stripe-Signature'],
                'whsec_wrong')
            raise AssertionError('wrong secret verified')
        except stripe.SignatureVerificationError:
            pass

    @check('webhook endpoint delete stops deliveries')
    def _():
        d = stripe.WebhookEndpoint.delete(w['we'])
        assert d.deleted is True and d.object == 'webhook_endpoint'
        n = len(hook.deliveries)
        stripe.Product.create(name='after delete')
        time.sleep(1.6)  # localstripe delivers ~1 s after the event
        assert len(hook.deliveries) == n

    stop(ls)
