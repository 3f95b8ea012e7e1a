#!/usr/bin/env python3
"""changes.py RESULTS.jsonl [--markdown] [--findings] — what changed between
the packaged and the current release of each stack, from one run that had
both.

--findings: for every rule the packaged stack's side failed, whether the same
case fails the same rule with the current release in its place ("still
holds": n of m cases), one row per (stack, role, rule).

A case of STACK@VERSION is paired with the same case with the packaged STACK
in its place (same suite, name, peer, TLS). A pair whose verdict on that
stack's side differs is a change; it is printed as one JSON line
(stack, version, role, case, packaged verdict, current verdict, repro) or,
with --markdown, as a table grouped by (stack, role, suite family, verdicts).
Nothing is judged here: the verdicts are the run's."""
import json
import re
import sys


def family(name):
    # "near-limit@65536" -> "near-limit@*": the list size as a wildcard
    return re.sub(r"@\d+", "@*", name)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    md = "--markdown" in sys.argv
    if len(args) != 1:
        print("usage: changes.py RESULTS.jsonl [--markdown]", file=sys.stderr)
        return 2
    lines = []
    with open(args[0]) as f:
        for n, raw in enumerate(f, 1):
            try:
                lines.append(json.loads(raw))
            except ValueError as e:
                print(f"{args[0]}:{n}: not JSON: {e}", file=sys.stderr)
                return 2
    index, versions = {}, {}
    for d in lines:
        for side in ("server", "client"):
            if d.get(side + "_version"):
                versions.setdefault(d.get(side), d[side + "_version"])
    for d in lines:
        if "server" in d and "client" in d:
            index[(d["suite"], d["name"], d["server"], d["client"], d["tls"])] = d
    changes = []
    for d in lines:
        for role, me, peer in (("server", "server", "client"), ("client", "client", "server")):
            sid = d.get(me, "")
            if "@" not in sid:
                continue
            base, version = sid.split("@", 1)
            other = d.get(peer, "")
            # the packaged stack in this side's place; a self pair maps both
            other_base = base if other == sid else other
            key = (d["suite"], d["name"], base if me == "server" else other_base,
                   base if me == "client" else other_base, d["tls"])
            p = index.get(key)
            if not p:
                continue
            v_now, v_then = d.get(role + "_verdict"), p.get(role + "_verdict")
            if v_now != v_then:
                changes.append({"stack": base, "version": version, "role": role,
                                "case": d["case"], "packaged_case": p["case"],
                                "packaged": v_then, "current": v_now,
                                "packaged_version": versions.get(base),
                                "current_version": versions.get(sid),
                                "repro": d.get("repro")})
    if "--findings" in sys.argv:
        return findings(lines, index, versions)
    if not md:
        for c in changes:
            print(json.dumps(c))
        return 0
    groups = {}
    for c in changes:
        suite, name = c["case"].split("/")[0:2]
        k = (c["stack"], c["version"], c["role"], suite + "/" + family(name), c["packaged"], c["current"])
        groups.setdefault(k, []).append(c)
    print("| stack | role | cases (family) | packaged → current | n | repro (one case) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k in sorted(groups, key=lambda k: (k[0], k[2], k[3])):
        g = groups[k]
        print(f"| {k[0]} {g[0]['packaged_version']} → {k[1]} | {k[2]} | `{k[3]}` | "
              f"{k[4]} → {k[5]} | {len(g)} | `{g[0]['repro']}` |")
    return 0


def owner(rule):
    # as the oracle assigns them (harness/run/outcome.c rule_role)
    return {"CA-PREFIX": "server", "REC-2E14": "server", "ALERT-ON-FAIL": "both"}.get(rule, "client")


def findings(lines, index, versions):
    current = sorted({d[s] for d in lines for s in ("server", "client") if "@" in d.get(s, "")})
    rows = {}
    for d in lines:
        for role, me, peer in (("server", "server", "client"), ("client", "client", "server")):
            base = d.get(me, "")
            if "@" in base or not d.get("rules"):
                continue
            for sid in current:
                if sid.split("@")[0] != base:
                    continue
                other = d[peer]
                other_now = sid if other == base else other
                key = (d["suite"], d["name"], sid if me == "server" else other_now,
                       sid if me == "client" else other_now, d["tls"])
                now = index.get(key)
                for rule in d["rules"]:
                    if owner(rule) not in (role, "both"):
                        continue
                    r = rows.setdefault((base, role, rule, sid), [0, 0, None, None])
                    if now is None or now.get("unsupported"):
                        continue
                    r[1] += 1
                    if rule in now.get("rules", []):
                        r[0] += 1
                        r[2] = r[2] or now.get("repro")
                    else:
                        r[3] = r[3] or now.get("repro")
    print("| stack | role | rule | current release | still holds | repro (holds) | repro (gone) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (base, role, rule, sid), (held, of, rh, rg) in sorted(rows.items()):
        if of == 0:
            verdict = "unmeasured (no comparable case ran)"
        else:
            verdict = f"{'yes' if held == of else 'no' if held == 0 else 'partly'}: {held} of {of} cases"
        print(f"| {base} {versions.get(base, '')} | {role} | {rule} | {versions.get(sid, sid)} | {verdict} | "
              f"{'`' + rh + '`' if rh else '-'} | {'`' + rg + '`' if rg else '-'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
