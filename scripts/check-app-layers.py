#!/usr/bin/env python3
"""No import circle among crates/app's top-level modules.

Each top-level module of crates/app/src (a file `x.rs` or a folder `x/`)
depends on another when its text names it: `crate::other`, a group
`crate::{other, ...}`, a `super::` path that climbs to the crate root, or a
name `lib.rs` re-exports (`crate::AppError` is `error`'s). Comments count
too: a doc link is a reference as well. Sub-modules of one module may
reference each other freely; only the top level must form a DAG (leaves,
infrastructure, events, capabilities, registry; see README.md).

Prints the modules in layer order and exits 0, or prints every cycle found
(the strongly connected components and one path around each) and exits 1.

Usage: python3 scripts/check-app-layers.py [crates/app/src]
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def module_path(root, path):
    """The module path of a file: `outbound/dispatch/send.rs` -> [outbound, dispatch, send]."""
    rel = os.path.relpath(path, root)
    parts = rel[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def root_reexports(lib_src):
    """Names `lib.rs` re-exports at the crate root, mapped to their module."""
    out = {}
    for m in re.finditer(r"pub\s+use\s+(?:crate::|self::)?(" + IDENT + r")::(\{[^}]*\}|" + IDENT + r")", lib_src):
        module, names = m.group(1), m.group(2)
        for n in re.findall(IDENT, names):
            if n not in ("self", "as"):
                out[n] = module
    return out


def references(src, path_parts, reexports):
    """Top-level modules a file's text names."""
    deps = set()
    # crate::a::..., crate::{a, b::c}, crate::Name (re-exported by lib.rs)
    for m in re.finditer(r"\bcrate::(\{[^}]*\}|" + IDENT + r")", src):
        target = m.group(1)
        names = re.findall(r"(?:^|[{,]\s*)(" + IDENT + r")", target) if target.startswith("{") else [target]
        for n in names:
            deps.add(reexports.get(n, n))
    # super::super::x from a nested file: climbing to the crate root names x
    for m in re.finditer(r"\b((?:super::)+)(" + IDENT + r")", src):
        ups = m.group(1).count("super::")
        # a mod.rs / x.rs file of module path P: `super` is P[:-1]
        if len(path_parts) - ups == 0:
            deps.add(reexports.get(m.group(2), m.group(2)))
    return deps


def graph(root):
    lib = os.path.join(root, "lib.rs")
    reexports = root_reexports(open(lib, encoding="utf-8").read()) if os.path.exists(lib) else {}
    mods = {}
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            p = os.path.join(dirpath, f)
            parts = module_path(root, p)
            if not parts:  # lib.rs itself: only declares and re-exports
                continue
            top = parts[0]
            src = open(p, encoding="utf-8").read()
            mods.setdefault(top, set()).update(references(src, parts, reexports))
    names = set(mods)
    return {m: {d for d in deps if d in names and d != m} for m, deps in mods.items()}


def sccs(g):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(g):
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def a_cycle(g, comp):
    """One path around a component: a -> b -> ... -> a."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(g[v] & members):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def layers(g):
    """Each module's depth: 0 for leaves, else 1 + the deepest module it names."""
    depth = {}

    def d(m):
        if m not in depth:
            depth[m] = 0
            depth[m] = 1 + max((d(x) for x in g[m]), default=-1)
        return depth[m]

    for m in g:
        d(m)
    return depth


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "app", "src")
    root = os.path.normpath(root)
    g = graph(root)
    cycles = [c for c in sccs(g) if len(c) > 1]
    if cycles:
        print(f"{root}: import cycle among top-level modules", file=sys.stderr)
        for comp in cycles:
            print(f"  {len(comp)} modules: {', '.join(comp)}", file=sys.stderr)
            print(f"    cycle: {' -> '.join(a_cycle(g, comp))}", file=sys.stderr)
            for m in comp:
                print(f"    {m} -> {', '.join(sorted(g[m] & set(comp)))}", file=sys.stderr)
        return 1
    depth = layers(g)
    print(f"{root}: {len(g)} top-level modules, no import cycle")
    for level in range(max(depth.values(), default=-1) + 1):
        print(f"  {level}: {' '.join(sorted(m for m in g if depth[m] == level))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
