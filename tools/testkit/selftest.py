#!/usr/bin/env python3
"""Self test of tools/testkit, over real HTTP and SMTP.

    PY=$(tools/testkit/setup.sh) && "$PY" tools/testkit/selftest.py

Starts localstripe_launcher.py and smtp_sink.py as subprocesses and checks
what Tollgate's tests rely on; every webhook delivery's Stripe-Signature is
verified with stripe-python's own stripe.Webhook.construct_event. Ends with
`N passed, N failed` and exits non-zero on any failure.

The checks live in selftest_checks/ (harness and receivers, then one module
per thing checked: stripe_checks, smtp_checks, crm_ac_checks,
crm_keap_checks); this file runs them in order and prints the tally.
"""

import sys
import time

from selftest_checks.crm_ac_checks import ac_checks
from selftest_checks.crm_keap_checks import keap_checks
from selftest_checks.harness import RESULTS
from selftest_checks.receivers import CrmReceiver
from selftest_checks.smtp_checks import smtp_checks
from selftest_checks.stripe_checks import stripe_checks


def crm_selftest():
    rx = CrmReceiver()
    ac_checks(rx)
    keap_checks(rx)
    rx.server.shutdown()


def main():
    t_start = time.time()
    stripe_checks()
    smtp_checks()
    crm_selftest()

    passed = sum(1 for n, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print('selftest took %.1fs' % (time.time() - t_start))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
