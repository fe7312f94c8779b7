"""Logging, clocks, the HttpError an endpoint raises, and the pagination
helpers both vendors use."""

import datetime
import threading


LOG_LOCK = threading.Lock()
LOG_FILE = None


def log(msg):
    if LOG_FILE is None:
        return
    line = '%s %s\n' % (datetime.datetime.now(datetime.timezone.utc)
                        .strftime('%Y-%m-%dT%H:%M:%S.%fZ'), msg)
    with LOG_LOCK:
        with open(LOG_FILE, 'a', encoding='utf-8') as f:
            f.write(line)


def now_iso():
    # ActiveCampaign and Keap both write ISO 8601 with an offset.
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0).isoformat()


def now_keap():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)


class HttpError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


# --------------------------------------------------------------------------
# helpers

def int_or_none(v):
    try:
        return int(str(v))
    except (TypeError, ValueError):
        return None


def paginate(items, q, default, maximum, detail=False):
    limit = int_or_none(q.get('limit'))
    offset = int_or_none(q.get('offset')) or 0
    if limit is None or limit <= 0:
        limit = default
    limit = min(limit, maximum)
    offset = max(offset, 0)
    page = items[offset:offset + limit]
    if detail:
        return page, len(items), offset, limit
    return page, len(items)
