#!/usr/bin/env python3
"""Runs every ```sh and ```python block of README.md and docs/*.md against a running server, so
a docs example that no longer works fails the test command (the smoke stage calls this). Also
fails on a link to a file of the repository that is not there.

The blocks see BOTCOACH_URL and BOT_TOKEN (a bot's API token), `botcoach` on the PATH, and the
server's BOTCOACH_DATABASE_URL; they run in a scratch folder, in file order, each with a time
limit. A block that cannot run here (it stops the server, say) is preceded by
`<!-- docs-check: covered by PATH -->`, naming the test that runs it; the file must exist.
Usage: scripts/docs-examples.py   (with those variables set)
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(\s*)```(\w+)?\s*$")
COVERED = re.compile(r"<!--\s*docs-check:\s*covered by\s+(\S+)\s*-->")
RUNNERS = {"sh": ["bash", "-euo", "pipefail", "-c"], "python": ["python3", "-c"]}


def blocks(path):
    """(language, first line number, code, covering test or None) for each fenced block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = len(m.group(1)), m.group(2), i + 1
        before = next((l for l in reversed(lines[:i]) if l.strip()), "")
        covered = COVERED.search(before)
        j = start
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        code = "\n".join(l[indent:] for l in lines[start:j]) + "\n"
        yield lang, start + 1, code, covered.group(1) if covered else None
        i = j + 1


LINK = re.compile(r"\]\(([^)\s]+)\)")


def broken_links(path):
    """Relative links of `path` whose file does not exist."""
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        if not (path.parent / target.split("#")[0]).exists():
            yield target


def main():
    for var in ("BOTCOACH_URL", "BOT_TOKEN", "BOTCOACH_DATABASE_URL"):
        if not os.environ.get(var):
            sys.exit(f"docs-examples: set {var} (scripts/smoke.sh demo does)")
    files = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
    ran, covered, failed = 0, 0, []
    with tempfile.TemporaryDirectory() as scratch:
        for path in files:
            failed += [f"{path.relative_to(ROOT)}: a link to {t}, which does not exist" for t in broken_links(path)]
            for lang, line, code, test in blocks(path):
                where = f"{path.relative_to(ROOT)}:{line}"
                if lang not in RUNNERS:
                    continue
                if test:
                    if not (ROOT / test).exists():
                        failed.append(f"{where}: names {test}, which does not exist")
                    covered += 1
                    continue
                try:
                    r = subprocess.run(RUNNERS[lang] + [code], cwd=scratch, capture_output=True,
                                       text=True, timeout=120)
                    ok, out = r.returncode == 0, r.stdout + r.stderr
                except subprocess.TimeoutExpired as e:
                    ok, out = False, f"timed out after 120 s\n{e.stdout or ''}{e.stderr or ''}"
                ran += 1
                print(f"{'ok  ' if ok else 'FAIL'} {where} ({lang})", flush=True)
                if not ok:
                    failed.append(f"{where}:\n{code}--- output ---\n{out}")
    print(f"{ran} examples ran, {covered} covered by tests, {len(failed)} failed")
    for f in failed:
        print(f"\n{f}", file=sys.stderr)
    sys.exit(1 if failed or ran == 0 else 0)


if __name__ == "__main__":
    main()
