#!/usr/bin/env python3
"""Lists pairs of Rust files that import each other (directly or by full path), per crate.

A file's imports are the `crate::`, `super::` and `self::` paths it names (in `use` lines and
inline); each path is resolved to the longest module file it reaches. Exit status 1 when a pair
exists. Usage: scripts/import-cycles.py [CRATE_SRC ...]  (default: model/src app/src server/src)
"""
import os
import re
import sys

PATH = re.compile(r'\b(crate|super|self)((?:::\w+)+|::\{)')


def module_of(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel


def file_of(src, parts):
    """The file of the longest module prefix of `parts` that exists."""
    for n in range(len(parts), -1, -1):
        base = os.path.join(src, *parts[:n]) if n else src
        for candidate in (base + ".rs", os.path.join(base, "mod.rs")):
            if n and os.path.isfile(candidate):
                return candidate
        if n == 0:
            for root in ("lib.rs", "main.rs"):
                if os.path.isfile(os.path.join(src, root)):
                    return os.path.join(src, root)
    return None


def expand(text, start):
    """`a::{b, c::{d, e}}` from `start` (just after the prefix) into lists of segments."""
    out, stack, cur, i = [], [[]], [], start
    # Simple parser over the tail of a path with braces.
    token = ""
    prefixes = [[]]
    while i < len(text):
        ch = text[i]
        if ch.isalnum() or ch == "_":
            token += ch
        elif text.startswith("::", i):
            if token:
                prefixes[-1] = prefixes[-1] + [token]
                token = ""
            i += 1
        elif ch == "{":
            prefixes.append(list(prefixes[-1]))
        elif ch in ",}":
            if token:
                out.append(prefixes[-1] + [token])
                token = ""
            elif prefixes[-1]:
                out.append(prefixes[-1])
            if ch == "}":
                prefixes.pop()
                # A path in an expression closed by its block's brace: the path ends there.
                if len(prefixes) <= 1:
                    break
            prefixes[-1] = list(prefixes[-2]) if len(prefixes) > 1 else []
        elif ch in " \n\t":
            pass
        else:
            if token:
                out.append(prefixes[-1] + [token])
            break
        i += 1
    return [o for o in out if o]


def imports(src, path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)
    here = module_of(src, path)
    found = set()
    for m in PATH.finditer(text):
        kind = m.group(1)
        if kind == "crate":
            base = []
        elif kind == "self":
            base = here if path.endswith(("mod.rs", "lib.rs", "main.rs")) else here
        else:
            is_mod = path.endswith(("mod.rs", "lib.rs", "main.rs"))
            base = here[:-1] if not is_mod else here[:-1]
            # `super::super::x`
            tail = text[m.end(1):]
            while tail.startswith("::super"):
                base = base[:-1]
                tail = tail[len("::super"):]
        for segs in expand(text, m.end(1) + 2 if text[m.end(1):].startswith("::") else m.end(1)):
            segs = [s for s in segs if s != "super"]
            target = file_of(src, base + segs)
            if target and os.path.abspath(target) != os.path.abspath(path):
                found.add(os.path.abspath(target))
    return found


def main(srcs):
    pairs = []
    for src in srcs:
        files = [os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs if f.endswith(".rs")]
        graph = {os.path.abspath(f): imports(src, f) for f in files}
        for a, targets in graph.items():
            for b in targets:
                if a < b and a in graph.get(b, ()):
                    pairs.append((os.path.relpath(a), os.path.relpath(b)))
    for a, b in sorted(pairs):
        print(f"{a} <-> {b}")
    print(f"{len(pairs)} pair(s) of files importing each other", file=sys.stderr)
    return 1 if pairs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["model/src", "app/src", "server/src"]))
