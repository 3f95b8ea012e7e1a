#!/usr/bin/env bash
# Packaged vs current release on a real run: a small run with Mbed TLS's
# packaged stack, its current release (built by ci/stacks into the cache and
# into this build with CABOUND_EXTRA_BUILDS) and OpenSSL must write
# changes.jsonl beside junit.xml and report.html, consistent with
# results.jsonl (recomputed here independently); report.html's section and
# --changes-md must count the same changes; --findings-md must answer "still
# holds" as the results say; --upstream must write REPORT.md with the case's
# own capture and key log, and refuse a typo, a finding that does not hold
# and a run without a release; a truncated last line is named and loses
# nothing else. Skipped (77) when this build has no Mbed TLS release.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
REL=$("$CABOUND" stacks --json | python3 -c 'import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o.get("installed") and o["stack"].startswith("mbedtls@"): print(o["stack"]); break')
if [ -z "$REL" ]; then
  echo "no mbedtls@VERSION in this build (bash ci/stacks; CABOUND_EXTRA_BUILDS): skipped"
  exit 77
fi
R="$TMP/r"
"$CABOUND" run --suite schannel-scenario --stacks "mbedtls,$REL,openssl" --out "$R" --quiet --allow-missing \
  >"$TMP/run.log" 2>&1
check "the run wrote changes.jsonl beside junit.xml and report.html" \
  test -s "$R/changes.jsonl" -a -s "$R/junit.xml" -a -s "$R/report.html"

# changes.jsonl against results.jsonl, recomputed here.
check "changes.jsonl is what results.jsonl says, line by line" python3 - "$R" <<'PY'
import json, sys
d = sys.argv[1]
res = [json.loads(l) for l in open(d + "/results.jsonl")]
idx = {(r["suite"], r["name"], r["server"], r["client"], r["tls"]): (i + 1, r) for i, r in enumerate(res)}
want = set()
for n, r in enumerate(res, 1):
    for role, other in (("server", "client"), ("client", "server")):
        sid = r[role]
        if "@" not in sid:
            continue
        base = sid.split("@")[0]
        peer = base if r[other] == sid else r[other]
        key = (r["suite"], r["name"], base if role == "server" else peer, base if role == "client" else peer, r["tls"])
        if key not in idx:
            continue
        pl, p = idx[key]
        a, b = p.get(role + "_verdict"), r.get(role + "_verdict")
        meas = lambda v: v not in (None, "unmeasured", "error")
        if meas(a) and meas(b) and a == b:
            continue
        want.add((r["case"], role, p["case"], a, b, "changed" if meas(a) and meas(b) else "unmeasured", pl, n))
got = set()
for l in open(d + "/changes.jsonl"):
    c = json.loads(l)
    got.add((c["current_case"], c["role"], c["packaged_case"], c["packaged_verdict"], c["current_verdict"], c["kind"],
             c["packaged_line"], c["current_line"]))
    assert c["repro"] == res[c["current_line"] - 1]["repro"], c
if got != want or not got:
    print("missing:", sorted(want - got)[:3], "extra:", sorted(got - want)[:3], file=sys.stderr)
    sys.exit(1)
PY
n=$(wc -l <"$R/changes.jsonl")
check "report.html's section counts every change" python3 - "$R/report.html" "$n" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
sec = h[h.index('<h2 id="changes">'):]
sec = sec[:sec.index("</table>")]
counts = [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', sec)]
sys.exit(0 if counts and sum(counts) == int(sys.argv[2]) else 1)
PY
"$CABOUND" report "$R" --changes-md --allow-missing >"$TMP/changes.md"
check "--changes-md counts every change" python3 - "$TMP/changes.md" "$n" <<'PY'
import sys
rows = [l.split(" | ") for l in open(sys.argv[1]) if l.startswith("| `")]
sys.exit(0 if rows and sum(int(r[4]) for r in rows) == int(sys.argv[2]) else 1)
PY
cp "$R/changes.jsonl" "$TMP/changes.run"
"$CABOUND" merge --out "$TMP/m" "$R" --allow-missing >/dev/null 2>&1
check "cabound merge writes the same changes.jsonl" cmp -s "$TMP/m/changes.jsonl" "$TMP/changes.run"
"$CABOUND" report "$R" --allow-missing >/dev/null
check "cabound report rewrites the same changes.jsonl" cmp -s "$R/changes.jsonl" "$TMP/changes.run"

# The findings column: mbedtls's server ALERT-ON-FAIL, counted here.
held=$(python3 - "$R" "$REL" <<'PY'
import json, sys
d, rel = sys.argv[1], sys.argv[2]
res = [json.loads(l) for l in open(d + "/results.jsonl")]
idx = {(r["suite"], r["name"], r["server"], r["client"], r["tls"]): r for r in res}
hit = lambda r: any(h["rule"] == "ALERT-ON-FAIL" and h["side"] == "server" for h in r.get("rule_hits", []))
held = of = 0
for r in res:
    if r["server"] != "mbedtls" or not hit(r):
        continue
    c = rel if r["client"] == "mbedtls" else r["client"]
    now = idx.get((r["suite"], r["name"], rel, c, r["tls"]))
    if not now or now.get("server_verdict") in (None, "unmeasured", "error", "unsupported"):
        continue
    of += 1
    held += hit(now)
print(held, of)
PY
)
read -r h_n h_of <<<"$held"
"$CABOUND" report "$R" --findings-md --allow-missing >"$TMP/findings.md"
word=$([ "$h_of" -eq 0 ] && echo unmeasured || { [ "$h_n" -eq "$h_of" ] && echo yes || { [ "$h_n" -eq 0 ] && echo no || echo partly; }; })
check "the findings column says $word ($h_n of $h_of) for mbedtls's server ALERT-ON-FAIL" \
  grep -q "^| mbedtls | server | \` ALERT-ON-FAIL \`.*| \` $REL \` ([^)]*): \*\*$word\*\*" "$TMP/findings.md"
check "the README has the changes table's markers" \
  grep -q -- "<!-- changes:begin -->" "$SRC/README.md"

# --upstream on that finding.
if [ "$h_n" -gt 0 ]; then
  "$CABOUND" report "$R" --upstream mbedtls:server:ALERT-ON-FAIL >"$TMP/up.out" 2>&1
  check "--upstream writes its report (exit 0)" [ $? -eq 0 ]
  U="$R/upstream/mbedtls_server_ALERT-ON-FAIL"
  check "REPORT.md names the release, the RFC section and the case's repro" python3 - "$U" "$R" "$REL" <<'PY'
import json, sys
u, r, rel = sys.argv[1:]
rep = open(u + "/REPORT.md").read()
cases = [json.loads(l) for l in open(u + "/cases.jsonl")]
cur = cases[0]
ok = (cur["server"] == rel and any(h["rule"] == "ALERT-ON-FAIL" and h["side"] == "server" for h in cur["rule_hits"])
      and cur["repro"] in rep and "RFC 5246 7.2.2" in rep and cur["server_library"] in rep
      and "## The side at fault" in rep and "### Records in the capture" in rep)
sys.exit(0 if ok else 1)
PY
  pcap=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["pcap"])' "$U/cases.jsonl")
  keylog=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["keylog"])' "$U/cases.jsonl")
  check "the case's pcap is copied in" cmp -s "$R/$pcap" "$U/$(basename "$pcap")"
  check "the case's key log is copied in" cmp -s "$R/$keylog" "$U/$(basename "$keylog")"
  check "REPORT.md lists the capture's records" grep -q "^| 1 | [0-9.]* | client | handshake | " "$U/REPORT.md"
fi
"$CABOUND" report "$R" --upstream mbedtls:server:ALERT-ON-FAL >/dev/null 2>"$TMP/typo.err"
check "a typo in the finding exits 2" [ $? -eq 2 ]
check "... and suggests the name" grep -q "did you mean mbedtls:server:ALERT-ON-FAIL" "$TMP/typo.err"
"$CABOUND" report "$R" --upstream openssl:server:REC-2E14 >/dev/null 2>"$TMP/none.err"
check "a finding the run does not have exits 2" [ $? -eq 2 ]
check "... and writes nothing" [ ! -e "$R/upstream/openssl_server_REC-2E14" ]

# A run without a release: an empty changes.jsonl, and nothing upstream.
"$CABOUND" run --suite schannel-scenario --stacks mbedtls,openssl --out "$TMP/p" --quiet --allow-missing >/dev/null 2>&1
check "a run without a release writes an empty changes.jsonl" \
  test -e "$TMP/p/changes.jsonl" -a ! -s "$TMP/p/changes.jsonl"
check "report.html says there was no release" grep -q "No current release" "$TMP/p/report.html"
"$CABOUND" report "$TMP/p" --upstream mbedtls:server:ALERT-ON-FAIL >/dev/null 2>"$TMP/norel.err"
check "--upstream without a release exits 2" [ $? -eq 2 ]
check "... and says why" grep -q "no current release of mbedtls ran" "$TMP/norel.err"

# A truncated last line: named FILE:LINE, every other change still written.
lines=$(wc -l <"$R/results.jsonl")
head -c 200 "$R/results.jsonl" >>"$R/results.jsonl"
"$CABOUND" report "$R" --allow-missing >/dev/null 2>"$TMP/trunc.err"
check "a truncated last line exits 2" [ $? -eq 2 ]
check "... naming results.jsonl:$((lines + 1))" grep -q "results.jsonl:$((lines + 1)): not valid JSON.*truncated last line" "$TMP/trunc.err"
check "... and changes.jsonl keeps every change" cmp -s "$R/changes.jsonl" "$TMP/changes.run"
done_checks
