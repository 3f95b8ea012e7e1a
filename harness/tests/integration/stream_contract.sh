#!/usr/bin/env bash
# Every installed shim of the stream transport (contract 2: the JVM shims
# jsse and bctls, erlang) keeps its side of it without a TLS peer:
# --describe declares the transport, the contract and the runtime; in --serve
# every request that names an address gets exactly one connection before its
# reply (bad-request and unsupported ones too); a request that is not JSON, or
# names a bad role, is a bad-request (the case echoed); a mode the stack lacks
# is unsupported with the contract echoed; a bad list file is named with its
# line; stdout holds reply lines only; EOF ends the loop with exit 0; --fd is
# refused with exit 2. erlang's own test (harness/stacks/erlang/test_shim.sh)
# adds what is Erlang's; interop with real peers is pairs.sh, misbehaving
# peers peer_faults.sh.
. "$(dirname "$0")/lib.sh"
stream_stacks() {
  "$CABOUND" stacks --json | python3 -c 'import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o.get("installed") and o.get("transport") == "stream": print(o["stack"])'
}
stacks=$(stream_stacks)
[ -n "$stacks" ] || { echo "no stream shim installed"; exit 77; }

# A loopback listener that counts the connections it accepts and drains each.
start_listener() { # COUNT_FILE PORT_FILE
  python3 - "$1" "$2" <<'PY' &
import socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(60)
open(sys.argv[2], "w").write(str(s.getsockname()[1]))
n = 0
try:
    while True:
        c, _ = s.accept(); n += 1
        open(sys.argv[1], "w").write(str(n))
        threading.Thread(target=lambda c=c: (c.recv(65536), c.close()), daemon=True).start()
except socket.timeout:
    pass
PY
  listener=$!
  for _ in $(seq 100); do [ -s "$2" ] && break; sleep 0.05; done
}

printf 'cabound-list 1\ndn 3000 ok\ndn abc\n' >"$TMP/bad.calist"
printf 'cabound-list 1\ndn 3000 ok\n' >"$TMP/good.calist"
for s in $stacks; do
  SHIM="$BUILD/cabound-shim-$s"
  desc=$("$SHIM" --describe)
  check "$s: describe says stream" [ "$(field "$desc" 'r["transport"]')" = stream ]
  check "$s: describe says contract 2" [ "$(field "$desc" 'r["contract"]')" = 2 ]
  check "$s: describe names its runtime" [ "$(field "$desc" 'bool(r.get("runtime"))')" = True ]

  rm -f "$TMP/count" "$TMP/port"
  start_listener "$TMP/count" "$TMP/port"
  addr="127.0.0.1:$(cat "$TMP/port")"
  {
    echo 'not json'
    echo "{\"contract\":2,\"case\":\"c1\",\"connect\":\"$addr\",\"role\":\"bogus\",\"tls\":\"1.2\"}"
    echo "{\"contract\":2,\"case\":\"c2\",\"connect\":\"$addr\",\"role\":\"server\",\"tls\":\"1.2\",\"cert\":\"c\",\"key\":\"k\",\"trust\":\"t\",\"calist_source\":\"raw\",\"calist\":\"$TMP/good.calist\"}"
    echo "{\"contract\":2,\"case\":\"c3\",\"connect\":\"$addr\",\"role\":\"client\",\"tls\":\"1.2\",\"select\":\"native\",\"received_out\":\"$TMP/r\",\"calist\":\"$TMP/bad.calist\"}"
    echo "{\"contract\":2,\"case\":\"c4\",\"connect\":\"$addr\",\"role\":\"server\",\"tls\":\"1.2\",\"cert\":\"c\",\"key\":\"k\",\"trust\":\"t\",\"calist_source\":\"trust-store\",\"calist_pem\":\"p\",\"calist\":\"$TMP/bad.calist\"}"
  } >"$TMP/requests"
  start=$SECONDS
  timeout 60 "$SHIM" --serve <"$TMP/requests" >"$TMP/replies" 2>"$TMP/stderr"
  rc=$?
  check "$s: EOF ends the loop with exit 0" [ "$rc" -eq 0 ]
  check "$s: one reply line per request" [ "$(wc -l <"$TMP/replies")" -eq 5 ]
  check "$s: stdout holds replies only" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/replies"
  reply() { sed -n "${1}p" "$TMP/replies"; }
  check "$s: not JSON: bad-request" [ "$(field "$(reply 1)" 'r["status"]')" = bad-request ]
  check "$s: bad role: bad-request naming it" [ "$(field "$(reply 2)" 'r["status"] + "|" + r["reason"]')" = 'bad-request|role must be "server" or "client"' ]
  check "$s: bad role: case echoed" [ "$(field "$(reply 2)" 'r["case"]')" = c1 ]
  check "$s: a source it lacks: unsupported" [ "$(field "$(reply 3)" 'r["status"] + "|" + r["reason"]')" = "unsupported|$s does not support calist_source raw" ]
  check "$s: contract echoed" [ "$(field "$(reply 3)" 'r["contract"]')" = 2 ]
  # The list file is read where the stack reads it: the server's list, or
  # (a client) not at all before the handshake; c4 names the bad line.
  check "$s: bad list file: its path and line" [ "$(field "$(reply 5)" 'r["reason"]')" = "$TMP/bad.calist:3: odd number of hex digits (3)" ]
  for _ in $(seq 100); do [ "$(cat "$TMP/count" 2>/dev/null)" = 4 ] && break; sleep 0.05; done
  check "$s: one connection per request that names an address" [ "$(cat "$TMP/count" 2>/dev/null)" = 4 ]
  check "$s: done in bounded time" [ $((SECONDS - start)) -lt 30 ]
  kill "$listener" 2>/dev/null
  wait "$listener" 2>/dev/null

  timeout 60 "$SHIM" --request "$TMP/requests" --fd 5 >/dev/null 2>&1
  check "$s: --fd is refused with exit 2" [ $? -eq 2 ]
done
done_checks
