#!/usr/bin/env python3
"""No persistence type on the wire: crates/http/src/routes/ never names
`tollgate_persistence`.

The routes speak in DTOs built from what the use cases return (domain types
or the app's read models); a persistence row, or a persistence filter built
by a handler, ties the API to the storage layout. Comments count too (a doc
link is a reference as well). The crate's infrastructure outside routes/
(audit, idempotency middleware, metrics) may still use persistence.

PENDING names the files still allowed to, each with what is left and why;
an entry that no longer names it fails too, so the list only shrinks.

Prints every offending line and exits 1, or exits 0.

Usage: python3 scripts/check-http-wire.py [crates/http/src/routes]
"""

import os
import sys

NEEDLE = "tollgate_persistence"

# Relative to the routes folder.
PENDING = {}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "crates", "http", "src", "routes")
    root = os.path.normpath(root)
    hits = []
    stale = []
    files = 0
    for dirpath, _, names in os.walk(root):
        for f in sorted(names):
            if not f.endswith(".rs"):
                continue
            files += 1
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root).replace(os.sep, "/")
            with open(p, encoding="utf-8") as fh:
                lines = [(n, line) for n, line in enumerate(fh, 1) if NEEDLE in line]
            if rel in PENDING:
                if not lines:
                    stale.append(rel)
                continue
            hits += [f"{os.path.relpath(p)}:{n}: {line.strip()}" for n, line in lines]
    stale += [rel for rel in PENDING if not os.path.exists(os.path.join(root, rel))]
    if hits or stale:
        if hits:
            print(f"{root}: routes name {NEEDLE} (map the use case's read model or domain type to a DTO instead):", file=sys.stderr)
            for h in hits:
                print(f"  {h}", file=sys.stderr)
        for rel in stale:
            print(f"{root}/{rel} no longer names {NEEDLE}: remove it from PENDING in {os.path.basename(__file__)}", file=sys.stderr)
        return 1
    pending = "".join(f"; pending: {rel} ({what})" for rel, what in PENDING.items())
    print(f"{root}: {files} files, no {NEEDLE}{pending}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
