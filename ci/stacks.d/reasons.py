#!/usr/bin/env python3
"""reasons.py FILE.expect CITATIONS.tsv [RESULTS.jsonl] — rewrite the reasons of a current
release's expectation file (suites/expect/STACK@VERSION.expect, as `cabound
run --update-expectations` wrote it) from citations read in that version's
own tree (ci/stacks.d/citations/STACK@VERSION.tsv: role, verdict or rule,
reason), falling back to the stack-independent "*" lines of
suites/expect/citations.tsv. The update tool composes reasons from the
packaged stack's citations, which cite the packaged version's source; this
puts the release's own in their place. A verdict or rule with no citation
is an error (exit 1), never a silent guess. Reasons are kept by later
updates (update_expect.c keep_reason).

With RESULTS (the run the file was written from), a verdict whose cause
differs by the side's error code can be cited per code: a key
"VERDICT:CODE" (e.g. "rejected:-140") is used for every code the cases of
that expectation showed, and each such code must be cited."""
import fnmatch
import json
import os
import re
import sys


def load(path, only_star=False):
    out = {}
    for n, line in enumerate(open(path), 1):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            sys.exit(f"{path}:{n}: want 4 tab-separated fields (stack, role, key, reason)")
        stack, role, key, reason = parts
        if only_star and stack != "*":
            continue
        out[(role, key)] = reason
    return out


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    if len(sys.argv) == 4:
        results = [json.loads(l) for l in open(sys.argv[3])]
    else:
        results = []
    exp, tsv = sys.argv[1:3]
    here = os.path.dirname(os.path.abspath(__file__))
    cites = load(os.path.join(here, "..", "..", "suites", "expect", "citations.tsv"), only_star=True)
    cites.update(load(tsv))
    text = open(exp).read()
    missing = []

    def fix(m):
        pat, role, body = m.group(1), m.group(2), m.group(3)
        v = re.search(r"^  (?:server|client)-verdict (\S+)$", body, re.M)
        rules = re.search(r"^  rules (.*)$", body, re.M)
        fault = re.search(r"^  fault (\S+)$", body, re.M)
        parts = []
        keys = ([v.group(1)] if v else []) + ([fault.group(1)] if fault else [])
        coded = [k for k in keys if any(rk == role and key.startswith(k + ":") for rk, key in cites)]
        for k in coded:
            keys.remove(k)
            codes = sorted({(d.get(role + "_error") or {}).get("code") for d in results
                            if fnmatch.fnmatchcase(d.get("case", ""), pat) and d.get(role + "_verdict") == k})
            if not codes:
                missing.append(f"{pat} {role}: {k} (no case in RESULTS to tell its cause)")
            for code in codes:
                c = cites.get((role, f"{k}:{code}"))
                if c is None:
                    missing.append(f"{pat} {role}: {k}:{code}")
                else:
                    parts.append(c)
        for k in keys:
            c = cites.get((role, k))
            if c is None:
                missing.append(f"{pat} {role}: {k}")
            else:
                parts.append(c)
        for r in (rules.group(1).split() if rules and rules.group(1) != "none" else []):
            c = cites.get((role, r))
            if c is None:
                missing.append(f"{pat} {role}: {r}")
            else:
                parts.append(f"{r}: {c}")
        reason = "; ".join(parts).replace('"', "'")
        body = re.sub(r'  reason ".*"\n', lambda _: f'  reason "{reason}"\n', body)
        return f"expect {pat} {role}\n{body}end\n"

    text = re.sub(r"expect (\S+) (server|client)\n((?:  .*\n)*?)end\n", fix, text)
    if missing:
        print("reasons.py: no citation for:\n  " + "\n  ".join(sorted(set(missing))), file=sys.stderr)
        return 1
    open(exp, "w").write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
