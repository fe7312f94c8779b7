#!/usr/bin/env python3
"""Self test of tools/testkit, over real HTTP and SMTP.

    PY=$(tools/testkit/setup.sh) && "$PY" tools/testkit/selftest.py

Starts localstripe_launcher.py and smtp_sink.py as subprocesses and checks
what Tollgate's tests rely on; every webhook delivery's Stripe-Signature is
verified with stripe-python's own stripe.Webhook.construct_event. Ends with
`N passed, N failed` and exits non-zero on any failure.
"""

import http.server
import json
import os
import select
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import stripe

HERE = os.path.dirname(os.path.abspath(__file__))
API_KEY = 'sk_test_selftest'


def start(script, *args):
    """Start a testkit server; return (process, port) once it printed
    LISTENING <port>."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, script),
                             '--port', '0', *args],
                            stdout=subprocess.PIPE, stderr=log,
                            stdin=subprocess.DEVNULL)
    ready, _, _ = select.select([proc.stdout], [], [], 15)
    line = proc.stdout.readline().decode() if ready else ''
    if not line.startswith('LISTENING '):
        proc.kill()
        log.seek(0)
        raise RuntimeError('%s did not start: %r\n%s'
                           % (script, line, log.read().decode()))
    return proc, int(line.split()[1])


def stop(proc):
    proc.terminate()
    try:
        assert proc.wait(10) == 0, 'exit code %s' % proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


class Receiver:
    """A local webhook endpoint that records raw deliveries."""

    def __init__(self):
        self.deliveries = []  # (headers, raw body)
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                with outer.cond:
                    outer.deliveries.append((dict(self.headers), body))
                    outer.cond.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.url = 'http://127.0.0.1:%d/hook' % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        with self.cond:
            return [json.loads(b) for h, b in self.deliveries]

    def wait_for(self, pred, what, timeout=8):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for h, b in self.deliveries:
                    ev = json.loads(b)
                    if pred(ev):
                        return ev
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(
                        'no delivery of %s; got %s' % (what, [
                            json.loads(b)['type'] for h, b in
                            self.deliveries]))
                self.cond.wait(left)


def post(base, path, **form):
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(base + path, data=data, method='POST')
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


RESULTS = []


def check(name):
    def deco(fn):
        t0 = time.time()
        try:
            fn()
            RESULTS.append((name, True))
            print('ok    %-55s %.1fs' % (name, time.time() - t0), flush=True)
        except Exception:
            RESULTS.append((name, False))
            print('FAIL  %s' % name, flush=True)
            traceback.print_exc()
        return fn
    return deco


def main():
    t_start = time.time()
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

    @check('smtp sink: message lands in the JSONL; AUTH accepted')
    def _():
        out = tempfile.mktemp(suffix='.jsonl')
        proc, sport = start('smtp_sink.py', '--out', out)
        try:
            with smtplib.SMTP('127.0.0.1', sport, timeout=10) as s:
                s.login('user', 'pass')
                s.sendmail('from@example.test', ['a@example.test',
                                                 'b@example.test'],
                           'Subject: hi\r\n\r\nhello\r\n')
            rows = [json.loads(x) for x in open(out)]
            assert len(rows) == 1
            assert rows[0]['mail_from'] == 'from@example.test'
            assert rows[0]['rcpt_tos'] == ['a@example.test',
                                           'b@example.test']
            assert 'Subject: hi' in rows[0]['data']
            assert 'hello' in rows[0]['data']
            assert rows[0]['auth_user'] == 'user'
        finally:
            stop(proc)
            os.unlink(out)

    @check('smtp sink: --fail-first 1 answers 451 once')
    def _():
        out = tempfile.mktemp(suffix='.jsonl')
        proc, sport = start('smtp_sink.py', '--out', out, '--fail-first', '1')
        try:
            with smtplib.SMTP('127.0.0.1', sport, timeout=10) as s:
                try:
                    s.sendmail('f@example.test', ['t@example.test'],
                               'Subject: 1\r\n\r\nfirst\r\n')
                    raise AssertionError('first message accepted')
                except smtplib.SMTPDataError as e:
                    assert e.smtp_code == 451, e
                s.sendmail('f@example.test', ['t@example.test'],
                           'Subject: 2\r\n\r\nsecond\r\n')
            rows = [json.loads(x) for x in open(out)]
            assert len(rows) == 1 and 'second' in rows[0]['data']
        finally:
            stop(proc)
            os.unlink(out)

    passed = sum(1 for n, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print('selftest took %.1fs' % (time.time() - t_start))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
