#!/usr/bin/env bash
# The stacks of issue 12 (go, jsse, bctls, rustls, erlang, botan, bearssl)
# against a peer that misbehaves (harness/stacks/testshim/shim_misbehave.c,
# as faults.sh runs it against OpenSSL), in both roles: a peer that hangs,
# dies mid-handshake or floods the connection with bytes that are not TLS is
# that peer's fault or a failed handshake, never a fault of the stack's shim:
# the shim reports its failed handshake (its error recorded) within the
# case's time, and the run ends in bounded time. One run, one shim process
# per stack and worker, so a JVM or BEAM starts once, not per case.
. "$(dirname "$0")/lib.sh"
want="go jsse bctls rustls erlang botan bearssl"
have=" $(installed_stacks | tr '\n' ' ') "
stacks=""
for s in $want; do
  if [[ $have == *" $s "* ]]; then stacks="$stacks $s"; else echo "note: $s is not installed; not tested" >&2; fi
done
[ -n "$stacks" ] || { echo "none of $want installed"; exit 77; }
[ -x "$BUILD/cabound-shim-misbehave" ] || { echo "no cabound-shim-misbehave"; exit 77; }
mkdir -p "$TMP/suites"
cat >"$TMP/suites/peer.suite" <<EOF
suite peer
description "issue 12's stacks against a misbehaving peer"
defaults
  tls 1.2
  timeout-ms 1500
end
case hang-server
  servers misbehave
  clients$stacks
end
case crash-server
  servers misbehave
  clients$stacks
end
case flood-server
  servers misbehave
  clients$stacks
end
case hang-client
  servers$stacks
  clients misbehave
end
case crash-client
  servers$stacks
  clients misbehave
end
case flood-client
  servers$stacks
  clients misbehave
end
EOF
start=$SECONDS
timeout 300 "$CABOUND" run --suites "$TMP/suites" --out "$TMP/out" --expect "$TMP/none" --quiet --no-boundaries \
  --no-reports --pcap never >/dev/null 2>"$TMP/err"
check "the run ends in bounded time" [ $((SECONDS - start)) -lt 120 ]
n=$(echo $stacks | wc -w)
check "one line per case ($((6 * n)))" [ "$(wc -l <"$TMP/out/results.jsonl" 2>/dev/null)" -eq $((6 * n)) ]
python3 - "$TMP/out/results.jsonl" >"$TMP/verdicts" <<'PY'
import json, re, sys
# The misbehaving side's fault, by what it did (faults.sh: crash, hang; a
# flood is an observation, not a fault).
expected = {"hang": "^timeout$", "crash": "^crash:SIGSEGV$", "flood": None}
for line in open(sys.argv[1]):
    r = json.loads(line)
    what, peer_side = r["name"].split("-")
    stack_side = "client" if peer_side == "server" else "server"
    stack = r[stack_side]
    fault = r.get("fault") or {}
    ok = []
    ok.append(("no fault of the stack's shim", fault.get(stack_side) is None))
    want = expected[what]
    ok.append(("the peer's fault recorded", re.match(want, fault.get(peer_side) or "") is not None if want
               else fault.get(peer_side) is None))
    ok.append(("handshake failed", r.get("handshake") == "failed"))
    ok.append(("the stack's shim reported an error", bool((r.get(stack_side + "_error") or {}).get("text"))))
    ok.append(("within the case's time", r.get("time_ms", 1e9) < 1500 + 2000 + 15000))
    for what_ok, good in ok:
        print(("PASS" if good else "FAIL") + f"\t{stack} {stack_side}, peer {what}s: {what_ok}")
PY
while IFS=$'\t' read -r verdict what; do
  check "$what" [ "$verdict" = PASS ]
done <"$TMP/verdicts"
check "every case judged" [ "$(wc -l <"$TMP/verdicts")" -eq $((6 * 5 * n)) ]
done_checks
