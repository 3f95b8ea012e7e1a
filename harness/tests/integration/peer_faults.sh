#!/usr/bin/env bash
# The stacks of issue 12 (go, jsse, bctls, rustls, erlang, botan, bearssl)
# against a peer that misbehaves (harness/stacks/testshim/shim_misbehave.c,
# as faults.sh runs it against OpenSSL), in both roles: a peer that hangs,
# dies mid-handshake or floods the connection with bytes that are not TLS is
# that peer's fault or a failed handshake, never a fault of the stack's shim:
# the shim reports its failed handshake (its error recorded) within the
# case's time, and the pairs end in bounded time (1 s per case).
. "$(dirname "$0")/lib.sh"
want="go jsse bctls rustls erlang botan bearssl"
have=" $(installed_stacks | tr '\n' ' ') "
stacks=""
for s in $want; do
  if [[ $have == *" $s "* ]]; then stacks="$stacks $s"; else echo "note: $s is not installed; not tested" >&2; fi
done
[ -n "$stacks" ] || { echo "none of $want installed"; exit 77; }
[ -x "$BUILD/cabound-shim-misbehave" ] || { echo "no cabound-shim-misbehave"; exit 77; }
# Per stack: as client, a server that hangs (the stack's own read deadline
# must end its handshake) and one that floods; as server, a client that
# hangs. `cabound run` plans only the stacks it discovers, so these are
# single pairs, two at a time.
for s in $stacks; do
  echo "misbehave $s hang-server"
  echo "misbehave $s flood-server"
  echo "$s misbehave hang-client"
done >"$TMP/pairs"
start=$SECONDS
mkdir -p "$TMP/lines"
# xargs appends each line's words: $2 server, $3 client, $4 name.
xargs -P 2 -L 1 bash -c 'timeout 60 "$0" pair --server "$2" --client "$3" --name "$4" --timeout-ms 1000 \
  --expect "$1/none" >"$1/lines/$2-$3-$4" 2>/dev/null; true' "$CABOUND" "$TMP" <"$TMP/pairs"
# A silent peer costs the stack's shim its read timeout plus its linger (at
# most 1 s, common/shim.c linger_close, Shim.lingerClose) of the harness's
# timeout + 2 s: 1 s is left for the runtime, which a JVM's first case can
# overrun on a loaded machine (seen at load average 19 with two pairs at a
# time, and alone at load average 16). Such a pair runs again, alone, up to
# twice; the last result counts.
while read -r srv cli name; do
  f="$TMP/lines/$srv-$cli-$name"
  side=client; [ "$cli" = misbehave ] && side=server
  for try in 1 2; do
    [ "$(field "$(head -1 "$f" 2>/dev/null || echo '{}')" "(r.get('fault') or {}).get('$side')")" = timeout ] || break
    echo "note: $srv>$cli $name: the $side's shim overran the deadline; again, alone ($try)" >&2
    timeout 60 "$CABOUND" pair --server "$srv" --client "$cli" --name "$name" --timeout-ms 1000 --expect "$TMP/none" \
      >"$f" 2>/dev/null
  done
done <"$TMP/pairs"
check "the pairs end in bounded time" [ $((SECONDS - start)) -lt 150 ]
n=$(wc -l <"$TMP/pairs")
cat "$TMP"/lines/* >"$TMP/results.jsonl" 2>/dev/null
check "one line per pair ($n)" [ "$(grep -c . "$TMP/results.jsonl")" -eq "$n" ]
python3 - "$TMP/results.jsonl" >"$TMP/verdicts" <<'PY'
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
    ok.append(("within the case's time", r.get("time_ms", 1e9) < 1000 + 2000 + 15000))
    for what_ok, good in ok:
        print(("PASS" if good else "FAIL") + f"\t{stack} {stack_side}, peer {what}s: {what_ok}")
PY
while IFS=$'\t' read -r verdict what; do
  check "$what" [ "$verdict" = PASS ]
done <"$TMP/verdicts"
check "every pair judged" [ "$(wc -l <"$TMP/verdicts")" -eq $((5 * n)) ]
done_checks
