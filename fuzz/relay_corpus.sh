#!/usr/bin/env bash
# fuzz/relay_corpus.sh [CLIENTS [CORPUS_DIR [OUT]]] — the client_cr corpus fed
# to clients that no C fuzz target can hold (Go, SunJSSE, Bouncy Castle,
# rustls, Erlang/OTP: default CLIENTS go,jsse,bctls,rustls,erlang) through
# their shims, in one `cabound run`, so that a JVM or BEAM starts once per
# worker. For every file of CORPUS_DIR (default corpus/client_cr_openssl;
# the compact list form, fuzz/common/calist_input.h: options byte, then
# [u16 length][DN]..., then an incomplete entry, dropped here) its DNs become
# the list (`base-list`) of:
#   - TLS 1.2 through the relay's rewrite (harness/lib/rewrite.c): an OpenSSL
#     server with no list of its own (`source none`) and each of the ten
#     malformations of harness/lib/malform.c built around the corpus's DNs;
#   - TLS 1.2 and 1.3 verbatim: BoringSSL's server sending the DNs raw,
#     unchecked (`source raw`), so malformed DNs reach the client as they are.
# The oracle judges each case as in any run (API-WIRE: the client's API
# against the wire). A client shim that crashes, hangs or breaks the
# contract is a fault; those are what this replay is for: exit 1 when any
# case has a fault of the client, 0 otherwise (rule hits are listed, not
# counted: a malformed list is meant to fail). Results stay in OUT (default
# results-relay-corpus/) for `cabound report`.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-go,jsse,bctls,rustls,erlang}
corpus=${2:-corpus/client_cr_openssl}
out=${3:-results-relay-corpus}
CAB=${CABOUND:-build/cabound}
[ -x "$CAB" ] || { echo "relay_corpus: no $CAB (bash ci/build build first)" >&2; exit 2; }
[ -d "$corpus" ] || { echo "relay_corpus: no corpus directory $corpus" >&2; exit 2; }
tmp=$(mktemp -d /tmp/cabound-relay-corpus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/suites" "$tmp/lists"
python3 - "$corpus" "$tmp" "${clients//,/ }" <<'PY'
import os, sys
corpus, tmp, clients = sys.argv[1], sys.argv[2], sys.argv[3]
cases = []
for name in sorted(os.listdir(corpus)):
    data = open(os.path.join(corpus, name), "rb").read()
    dns, i = [], 1
    while i + 2 <= len(data):
        n = int.from_bytes(data[i:i + 2], "big")
        if i + 2 + n > len(data):
            break  # the incomplete last entry: no DN of its own
        dns.append(data[i + 2:i + 2 + n])
        i += 2 + n
    if not dns or any(len(d) == 0 for d in dns):
        # A list file cannot hold a zero-length DN; the relay's
        # zero-length-dn malformation covers that shape.
        dns = [d for d in dns if d]
    if not dns:
        print(f"note: {name}: no DN to replay", file=sys.stderr)
        continue
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    lst = os.path.join(tmp, "lists", safe + ".list")
    with open(lst, "w") as f:
        f.write("cabound-list 1\n" + "".join(f"dn {d.hex()}\n" for d in dns))
    # The list is exactly the corpus's DNs (no filler, no issuer of ours).
    cases.append((safe, lst, sum(2 + len(d) for d in dns)))
names = "empty zero-length-dn not-der trailing-bytes inner-overrun outer-mismatch dn-cut wrapped-length duplicates dn-65000"
with open(os.path.join(tmp, "suites", "relay-corpus.suite"), "w") as f:
    f.write('suite relay-corpus\ndescription "the client_cr corpus through the relay and a raw server"\n'
            f"defaults\n  clients {clients}\n  issuer absent\n  select by-issuer native\n  verify request\n  timeout-ms 5000\nend\n")
    for safe, lst, nbytes in cases:
        f.write(f"case relay-{safe}\n  tls 1.2\n  servers openssl\n  source none\n  base-list {lst}\n"
                f"  list-bytes {nbytes}\n  inject {names}\nend\n")
        f.write(f"case raw-{safe}\n  tls 1.2 1.3\n  servers boringssl\n  source raw\n  base-list {lst}\n"
                f"  list-bytes {nbytes}\nend\n")
print(len(cases), file=sys.stderr)
PY
rm -rf "$out"
rc=0
"$CAB" run --suites "$tmp/suites" --out "$out" --expect "$tmp/none" --quiet --no-boundaries --no-reports --pcap never \
  >/dev/null || rc=$?
[ -s "$out/results.jsonl" ] || { echo "relay_corpus: the run wrote no results (exit $rc)" >&2; exit 2; }
python3 - "$out/results.jsonl" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
per = collections.defaultdict(collections.Counter)
faults = []
for r in rows:
    c = per[r["client"]]
    c["cases"] += 1
    if r.get("unsupported"):
        c["unsupported"] += 1
        continue
    c["handshake " + (r.get("handshake") or "?")] += 1
    for h in r.get("rule_hits") or []:
        if h.get("side") == "client":
            c["rule " + h["rule"]] += 1
    f = (r.get("fault") or {}).get("client")
    if f:
        faults.append((r["case"], f))
for client, c in sorted(per.items()):
    print(f"{client}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
for case, f in faults:
    print(f"FAULT {case}: {f}")
print(f"{len(rows)} cases, {len(faults)} client faults")
sys.exit(1 if faults else 0)
PY
