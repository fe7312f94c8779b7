"""Outgoing webhooks: one worker thread per account, in order, never
retried."""

import threading
import urllib.error
import urllib.request

from .common import log


# --------------------------------------------------------------------------
# Outgoing webhooks: one worker thread per account, in order, never retried.

def enqueue(acct, job):
    """job: dict(url, body(bytes), headers, on_status(callable|None), what)."""
    if acct.paused:
        log('%s: paused, dropped %s to %s' % (acct.slug, job['what'], job['url']))
        return
    acct.queue.put(job)
    if acct.worker is None:
        acct.worker = threading.Thread(target=deliver_loop, args=(acct,),
                                       daemon=True)
        acct.worker.start()


def post_raw(url, body, headers, timeout=10):
    req = urllib.request.Request(url, data=body, method='POST')
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def deliver_loop(acct):
    while True:
        job = acct.queue.get()
        try:
            status, _ = post_raw(job['url'], job['body'], job['headers'])
            log('%s: %s -> %s answered %s' % (acct.slug, job['what'],
                                              job['url'], status))
        except Exception as e:  # noqa: BLE001 - log and drop, no retries
            status = None
            log('%s: %s -> %s failed: %s' % (acct.slug, job['what'],
                                             job['url'], e))
        if job.get('on_status'):
            job['on_status'](status)
