#!/usr/bin/env python3
"""Checks one eksboot run's JSON lines against a case's expectations.

    expect.py FILE [--console] EXPECT... [-- SAYS...]

EXPECT is "STATUS CODE NAME": some result with that status and code whose
endpoint or check is NAME (- for any); a non-pass one must carry a hint.
SAYS is "CODE TEXT": some CODE result's msg or hint holds TEXT. With
--console, FILE is a console (lines "eksboot: {...}") that must end with
the summary. Exits 1, saying what is missing, when an expectation fails.
"""
import json
import sys

args = sys.argv[2:]
console = args[:1] == ["--console"]
if console:
    args = args[1:]
expect, says = (args[:args.index("--")], args[args.index("--") + 1:]) if "--" in args else (args, [])

lines = []
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if console:
        if raw.startswith("eksboot: {"):
            lines.append(json.loads(raw[len("eksboot: "):]))
        continue
    try:
        lines.append(json.loads(raw))
    except ValueError:
        pass
results = [l for l in lines if l.get("msg") != "summary"]

bad = False
for e in expect:
    status, code, name = e.split()
    hits = [l for l in results if l.get("status") == status and l.get("code") == code
            and (name == "-" or name in (l.get("endpoint"), l.get("check")))]
    if not hits:
        print("no %s %s result for %s" % (status, code, name))
        bad = True
    elif status != "pass" and not all(l.get("hint") for l in hits):
        print("%s has no hint" % code)
        bad = True
for e in says:
    code, text = e.split(" ", 1)
    said = [l.get("msg", "") + " " + l.get("hint", "") for l in results if l.get("code") == code]
    if not any(text in s for s in said):
        print("no %s result says '%s' (they say: %s)" % (code, text, said))
        bad = True
if console and (not lines or lines[-1].get("msg") != "summary"):
    print("the console does not end with the summary")
    bad = True
sys.exit(1 if bad else 0)
