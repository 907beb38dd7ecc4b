#!/usr/bin/env python3
"""Lists the string literals of 25 or more characters that appear in both the SQLite store and the
PostgreSQL store, and counts them: text written twice, which belongs in SalurStore's shared rules.
Usage: scripts/shared-store-literals.py [repository root]"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
literal = re.compile(r'"((?:[^"\\\n]|\\.){25,})"')


def literals(folders):
    found = {}
    for folder in folders:
        for path in (root / folder).rglob("*.swift"):
            for match in literal.finditer(path.read_text()):
                found.setdefault(match.group(1), set()).add(str(path.relative_to(root)))
    return found


sqlite = literals(["Sources/SalurSQLite"])
postgres = literals(["Sources/SalurPostgres"])
both = sorted(set(sqlite) & set(postgres))
for text in both:
    print(repr(text)[:110])
print(len(both), "literals of 25+ characters in both stores")
