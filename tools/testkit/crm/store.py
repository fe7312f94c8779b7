"""The emulator's state: accounts (contacts, tags, links, hooks) and the
API keys and OAuth codes and tokens that lead to them."""

import queue
import re
import secrets
import threading


# --------------------------------------------------------------------------
# State

class Account:
    def __init__(self, vendor, slug, name):
        self.vendor = vendor
        self.slug = slug
        self.name = name
        self.api_key = secrets.token_hex(32) if vendor == 'activecampaign' \
            else 'KeapAK-' + secrets.token_hex(24)
        self.client_id = 'emu-' + secrets.token_hex(8)
        self.client_secret = secrets.token_hex(16)
        self.contacts = {}      # id -> dict
        self.tags = {}          # id -> dict
        self.links = {}         # contactTag id -> {id, contact, tag, cdate}
        self.hooks = {}         # AC webhook id / Keap hook key -> dict
        self.requests = []      # API calls: {method, path, time, status}
        self.paused = False
        self.fail = None        # {status, count, retry_after}
        self.next_id = {'contact': 1, 'tag': 1, 'link': 1, 'hook': 1}
        self.queue = queue.Queue()
        self.worker = None

    def new_id(self, kind):
        n = self.next_id[kind]
        self.next_id[kind] = n + 1
        return n

    def link_for(self, contact_id, tag_id):
        for link in self.links.values():
            if link['contact'] == contact_id and link['tag'] == tag_id:
                return link
        return None

    def tag_ids_of(self, contact_id):
        return [l['tag'] for l in sorted(self.links.values(),
                                         key=lambda l: l['id'])
                if l['contact'] == contact_id]


class State:
    def __init__(self, vendor):
        self.vendor = vendor
        self.lock = threading.RLock()
        self.accounts = {}          # slug -> Account
        self.by_key = {}            # api key -> slug
        self.by_client = {}         # client_id -> slug
        self.codes = {}             # code -> {slug, redirect_uri}
        self.access = {}            # access token -> {slug, expired}
        self.refresh = {}           # refresh token -> slug
        self.counter = 0

    def new_account(self, name):
        with self.lock:
            self.counter += 1
            base = re.sub(r'[^a-z0-9]+', '-', (name or 'acct').lower()).strip('-')
            slug = '%s%d' % ((base or 'acct')[:24], self.counter)
            acct = Account(self.vendor, slug, name or slug)
            self.accounts[slug] = acct
            self.by_key[acct.api_key] = slug
            self.by_client[acct.client_id] = slug
            return acct
